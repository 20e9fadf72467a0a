import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as LoadShedding from "../../src/http/loadShedding.js"
import * as Metrics from "../../src/http/metrics.js"
import * as Redirect from "../../src/http/redirect.js"
import * as Classifier from "../../src/http/responseClassifier.js"
import * as Status from "../../src/http/status.js"

const status = fc.integer({ min: 100, max: 599 })

describe("http/responseClassifier", () => {
  it("rejects 5xx, 408 and 429 unless X-Do-Not-Retry, accepts anything else", () => {
    fc.assert(fc.property(status, fc.boolean(), (s, doNotRetry) => {
      const expected = (s >= 500 || s === 408 || s === 429) && !doNotRetry ? "reject" : "accept"
      return Classifier.classifyStatus(s, doNotRetry) === expected
    }))
  })

  it("accepts too many redirects, rejects every other error", () => {
    expect(Classifier.classifyError("TooManyRedirectsError")).toBe("accept")
    for (const tag of [undefined, "RequestError", "DeadlineExceededError", "CircuitBreakerOpenError"]) {
      expect(Classifier.classifyError(tag)).toBe("reject")
    }
  })

  it("takes three-digit keys 100 to 599 as status codes", () => {
    fc.assert(fc.property(status, (s) => Classifier.isStatusCode(String(s))))
    for (const key of ["99", "600", "1000", "abc", "20x", ""]) expect(Classifier.isStatusCode(key)).toBe(false)
  })
})

describe("http/status", () => {
  it("gives each outcome without a response its conventional status", () => {
    expect(Status.errorStatus({ _tag: "DeadlineExceededError" })).toBe(408)
    expect(Status.errorStatus({ _tag: "TooManyRedirectsError" })).toBe(488)
    expect(Status.errorStatus({ _tag: "InvalidRedirectError" })).toBe(488)
    expect(Status.errorStatus({ _tag: "RequestError" })).toBe(489)
    expect(Status.errorStatus({ _tag: "CircuitBreakerOpenError" })).toBe(502)
    expect(Status.errorStatus({ _tag: "ResponseError", response: { status: 503 } })).toBe(503)
    expect(Status.interruptedStatus(true)).toBe(408)
    expect(Status.interruptedStatus(false)).toBe(499)
  })
})

describe("http/redirect", () => {
  it("follows 301, 302, 303, 307, 308 only", () => {
    fc.assert(fc.property(status, (s) => Redirect.isRedirect(s) === [301, 302, 303, 307, 308].includes(s)))
  })

  it("turns a 303 (but of GET/HEAD) and a 301/302 of POST into a GET", () => {
    expect(Redirect.becomesGet(303, "PUT")).toBe(true)
    expect(Redirect.becomesGet(303, "HEAD")).toBe(false)
    expect(Redirect.becomesGet(302, "POST")).toBe(true)
    expect(Redirect.becomesGet(302, "PUT")).toBe(false)
    expect(Redirect.becomesGet(307, "POST")).toBe(false)
  })

  it("drops credentials across origins only", () => {
    const base = new URL("http://a.test:8080/x")
    expect(Redirect.crossesOrigin(base, Redirect.resolve("/y", base)!)).toBe(false)
    expect(Redirect.crossesOrigin(base, Redirect.resolve("https://a.test:8080/y", base)!)).toBe(true)
    expect(Redirect.crossesOrigin(base, Redirect.resolve("//b.test/y", base)!)).toBe(true)
    expect(Redirect.credentialHeaders).toContain("authorization")
    expect(Redirect.resolve("http://[bad", base)).toBeUndefined()
    expect(Redirect.isFollowable(new URL("ftp://a.test/"))).toBe(false)
  })

  it("binds the headers named (any case) or matched by a pattern, and only those", () => {
    const names = ["authorization", "x-api-key", "x-secret-a", "x-trace"]
    expect(Redirect.boundNames(names, ["Authorization", /^x-secret-/])).toEqual(["authorization", "x-secret-a"])
    const global = /api/g
    expect(Redirect.boundNames(names, [global])).toEqual(["x-api-key"])
    expect(Redirect.boundNames(names, [global])).toEqual(["x-api-key"])
    expect(global.lastIndex).toBe(0)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z-]{1,8}$/)),
        fc.array(fc.stringMatching(/^[a-z-]{1,8}$/)),
        (all, bound) => {
          const kept = Redirect.boundNames(all, bound)
          return kept.every((name) => bound.includes(name)) &&
            all.filter((name) => bound.includes(name)).length === kept.length
        }
      )
    )
  })
})

describe("http/loadShedding", () => {
  it("asks a retry after whole seconds, at least 1", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (seconds) => {
      const r = LoadShedding.retryAfterSeconds(seconds)
      return Number.isInteger(r) && r >= 1 && r >= seconds && r < Math.max(1, seconds) + 1
    }))
    expect(LoadShedding.shedMessage("low", 2)).toBe("overloaded: low-priority request shed, retry after 2 s\n")
    expect(LoadShedding.answerOutcome(408)).toBe("dropped")
    expect(LoadShedding.answerOutcome(503)).toBe("success")
  })
})

describe("http/metrics", () => {
  it("makes each server series once, with at most maxClients clients before <other>", () => {
    let made = 0
    const series = Metrics.makeServerSeries(1000, 2, (client, method, path, status) => {
      made++
      return `${client} ${method} ${path} ${status}`
    })
    expect(series("a", "GET", "/x", 200)).toBe("a GET /x 200")
    expect(series("a", "GET", "/x", 200)).toBe("a GET /x 200")
    expect(made).toBe(1)
    series("b", "GET", "/x", 200)
    expect(series("c", "GET", "/x", 200)).toBe(`${Metrics.overflowLabel} GET /x 200`)
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 50 }), (clients) => {
      const seen = new Set<string>()
      const s = Metrics.makeServerSeries(10, 3, (client) => {
        seen.add(client)
        return client
      })
      for (const c of clients) s(c, "GET", "/", 200)
      return seen.size <= 4
    }))
  })

  it("starts a full cache afresh", () => {
    let made = 0
    const memo = Metrics.memo(2, (k: string) => {
      made++
      return k
    })
    memo("a", "a")
    memo("b", "b")
    memo("c", "c")
    memo("a", "a")
    expect(made).toBe(4)
  })
})
