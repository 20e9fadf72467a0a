import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { retryAfterHeaders } from "../../src/http/loadShedding.js"
import * as Pushback from "../../src/http/pushback.js"
import { pushbackDecision } from "../../src/strategy/run.js"

const now = Date.UTC(2026, 11, 3, 12, 0, 0)
const minute = 60_000
const imf = (millis: number) => new Date(millis).toUTCString()

describe("http/pushback", () => {
  it("reads X-Retry-After-Ms as milliseconds, and stop for anything not a non-negative integer", () => {
    expect(Pushback.parseRetryAfterMs("250")).toBe(250)
    expect(Pushback.parseRetryAfterMs(" 0 ")).toBe(0)
    for (const bad of ["-1", "-0", "1.5", "+5", "", " ", "1e3", "0x10", "10, 20", "abc", "NaN", "Infinity"]) {
      expect(Pushback.parseRetryAfterMs(bad)).toBe("stop")
    }
  })

  it("reads Retry-After as delta-seconds or any of the three HTTP-date formats", () => {
    expect(Pushback.parseRetryAfter("3", now)).toBe(3000)
    expect(Pushback.parseRetryAfter(" 0 ", now)).toBe(0)
    expect(Pushback.parseRetryAfter("Thu, 03 Dec 2026 12:00:05 GMT", now)).toBe(5000)
    expect(Pushback.parseRetryAfter("Thursday, 03-Dec-26 12:00:07 GMT", now)).toBe(7000)
    expect(Pushback.parseRetryAfter("Thu Dec  3 12:00:09 2026", now)).toBe(9000)
    // a date in the past is no wait
    expect(Pushback.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(0)
  })

  it("ignores a Retry-After that is garbage, as if absent", () => {
    for (const bad of ["-1", "1.5", "soon", "", "2026-12-03T12:00:05Z", "Thu, 33 Dec 2026 12:00:05 GMT", "+3"]) {
      expect(Pushback.parseRetryAfter(bad, now)).toBeUndefined()
      expect(Pushback.pushback(503, bad, undefined, now, minute)).toBeUndefined()
    }
  })

  it("reads 429 and 503 only, X-Retry-After-Ms first", () => {
    expect(Pushback.pushback(503, "3", undefined, now, minute)).toBe(3000)
    expect(Pushback.pushback(429, "3", undefined, now, minute)).toBe(3000)
    expect(Pushback.pushback(503, undefined, undefined, now, minute)).toBeUndefined()
    for (const status of [200, 301, 500, 502, 504]) {
      expect(Pushback.pushback(status, "3", "10", now, minute)).toBeUndefined()
    }
    expect(Pushback.pushback(503, "3", "10", now, minute)).toBe(10)
    // ours decides even when it says stop
    expect(Pushback.pushback(503, "3", "-1", now, minute)).toBe("stop")
  })

  it("stops when the wait asked is longer than maxWait", () => {
    expect(Pushback.pushback(503, "60", undefined, now, minute)).toBe(60_000)
    expect(Pushback.pushback(503, "61", undefined, now, minute)).toBe("stop")
    expect(Pushback.pushback(503, undefined, "60001", now, minute)).toBe("stop")
    expect(Pushback.pushback(503, "99999999999999999999999", undefined, now, minute)).toBe("stop")
    expect(Pushback.pushback(503, imf(now + 2 * minute), undefined, now, minute)).toBe("stop")
  })

  it("gives a wait in [0, maxWait], stop, or nothing, whatever the headers say", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(429, 503),
        fc.option(fc.oneof(fc.string(), fc.integer().map(String), fc.date().map((d) => d.toUTCString())), {
          nil: undefined
        }),
        fc.option(fc.oneof(fc.string(), fc.integer().map(String), fc.double().map(String)), { nil: undefined }),
        fc.integer({ min: -10 * minute, max: 10 * minute }),
        fc.nat({ max: 10 * minute }),
        (status, retryAfter, retryAfterMs, offset, maxWait) => {
          const wait = Pushback.pushback(status, retryAfter, retryAfterMs, now + offset, maxWait)
          // ours always says something: a wait or stop
          if (retryAfterMs !== undefined) expect(wait).not.toBeUndefined()
          if (typeof wait === "number") {
            expect(Number.isFinite(wait)).toBe(true)
            expect(wait).toBeGreaterThanOrEqual(0)
            expect(wait).toBeLessThanOrEqual(maxWait)
          }
        }
      )
    )
  })

  it("reads any non-negative integer of milliseconds as itself, and any negative one as stop", () => {
    fc.assert(fc.property(fc.nat(), (n) => Pushback.parseRetryAfterMs(String(n)) === n))
    fc.assert(fc.property(fc.integer({ max: -1 }), (n) => Pushback.parseRetryAfterMs(String(n)) === "stop"))
  })

  it("reads an HTTP-date to the second: a future one as the time left, a past one as 0", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (offset) => {
        const date = Math.floor((now + offset) / 1000) * 1000
        expect(Pushback.parseRetryAfter(imf(date), now)).toBe(Math.max(0, date - now))
      })
    )
  })

  it("reads delta-seconds as milliseconds, however many digits", () => {
    fc.assert(
      fc.property(fc.nat(), (seconds) => Pushback.parseRetryAfter(String(seconds), now) === seconds * 1000)
    )
  })
})

describe("strategy/run pushbackDecision", () => {
  it("waits when the wait ends before the deadline, else gives up; stop is stop", () => {
    expect(pushbackDecision(100, 0, 1000)).toBe("wait")
    expect(pushbackDecision(1000, 0, 1000)).toBe("deadline")
    expect(pushbackDecision("stop", 0, 1000)).toBe("stop")
    expect(pushbackDecision(1e9, 0, Infinity)).toBe("wait")
  })
})

describe("http/loadShedding retryAfterHeaders", () => {
  it("sends whole seconds rounded up (at least 1) and milliseconds rounded up (at least 1)", () => {
    expect(retryAfterHeaders(1000)).toEqual({ "retry-after": "1", "x-retry-after-ms": "1000" })
    expect(retryAfterHeaders(1500)).toEqual({ "retry-after": "2", "x-retry-after-ms": "1500" })
    expect(retryAfterHeaders(0.2)).toEqual({ "retry-after": "1", "x-retry-after-ms": "1" })
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e9, noNaN: true }), (millis) => {
        const headers = retryAfterHeaders(millis)
        const read = Pushback.pushback(503, headers["retry-after"], headers["x-retry-after-ms"], now, Infinity)
        expect(read).toBeGreaterThanOrEqual(millis)
        expect(Pushback.pushback(503, headers["retry-after"], undefined, now, Infinity)).toBeGreaterThanOrEqual(millis)
      })
    )
  })
})
