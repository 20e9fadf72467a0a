/**
 * ServerMiddleware on both lines: malformed and hostile request headers, as a property over a
 * loopback server (the kit's harness).
 */
import type { Seen } from "@aio-request/line/platform-testkit"
import {
  assert,
  describe,
  Effect,
  HttpClient,
  HttpClientRequest,
  Layer,
  route,
  scopedLive,
  seen,
  serve,
  undici
} from "@aio-request/line/platform-testkit"
import * as fc from "fast-check"

// Printable ASCII and tab: what an HTTP client may put in a header value
// (undici refuses control and non-ASCII characters before sending).
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  fc.constant("\t")
)
const garbage = fc.string({ unit: headerChar, maxLength: 40 })
const numeric = fc.oneof(
  fc.double().map(String), // NaN, ±Infinity, -0, negatives, 1e308...
  fc.double({ min: 0, max: 10, noNaN: true }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.bigInt().map(String),
  fc.nat({ max: 5000 }).map((n) => (n / 1000).toFixed(3))
)
const tricky = fc.constantFrom(
  "NaN",
  "nan",
  "1e309",
  "-1e309",
  "Infinity",
  "-Infinity",
  "1e-400",
  "-0",
  "0x10",
  "0b1",
  "1_000",
  "",
  " ",
  "1.",
  ".5",
  "+1",
  "1e",
  "e1",
  "1e+",
  "1..2",
  "1,5",
  "0.0000001",
  "5e-3",
  "4e-3"
)
const huge = fc.oneof(
  fc.integer({ min: 50, max: 6000 }).map((n) => "9".repeat(n)),
  fc.integer({ min: 50, max: 6000 }).map((n) => "0." + "0".repeat(n) + "1"),
  fc.integer({ min: 50, max: 6000 }).map((n) => "1" + "0".repeat(n) + ".5"),
  fc.integer({ min: 50, max: 6000 }).map((n) => "x".repeat(n))
)
const timeoutHeader = fc.oneof(garbage, numeric, tricky, huge)

const maxTimeoutMillis = 2000
const defaultTimeoutMillis = 3000 // above maxTimeout: a header deadline and the default cannot be confused

/** Well-formed per the contract: finite, non-negative decimal seconds. */
const wellFormed = /^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/

describe("ServerMiddleware: malformed headers (property)", () => {
  scopedLive(
    "never a 500, never a deadline above maxTimeout; a malformed timeout leaves the default, a valid one applies",
    () =>
      Effect.gen(function*() {
        const url = yield* serve(route("/seen", seen), {
          timeout: `${defaultTimeoutMillis} millis`,
          maxTimeout: `${maxTimeoutMillis} millis`
        })
        const http = yield* Layer.build(undici)
        const client = yield* HttpClient.HttpClient.pipe(Effect.provide(http))
        const send = (headers: Record<string, string>) =>
          Effect.runPromise(
            client.execute(HttpClientRequest.get(`${url}/seen`).pipe(HttpClientRequest.setHeaders(headers))).pipe(
              Effect.flatMap((response) =>
                Effect.map(response.text, (text) => ({
                  status: response.status,
                  body: response.status === 200 ? JSON.parse(text) as Seen : undefined
                }))
              ),
              Effect.scoped
            )
          )
        let cases = 0
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              timeoutHeader,
              fc.oneof(garbage, fc.constantFrom("high", "LOW", " Normal ")),
              fc.option(fc.oneof(garbage, huge), { nil: undefined }),
              async (timeout, priority, service) => {
                cases++
                const headers: Record<string, string> = { "x-request-timeout": timeout, "x-request-priority": priority }
                if (service !== undefined) headers["x-service-name"] = service
                const { body, status } = await send(headers)
                if (status === 408) {
                  // only a well-formed deadline below the threshold (5 ms) is refused
                  assert.match(timeout, wellFormed, `408 for ${JSON.stringify(timeout)}`)
                  assert.isBelow(Number(timeout) * 1000, 5, timeout)
                  return
                }
                assert.strictEqual(status, 200, `status ${status} for ${JSON.stringify(headers).slice(0, 200)}`)
                const remaining = body!.remainingMillis!
                assert.isTrue(["high", "normal", "low"].includes(body!.priority!), body!.priority!)
                const seconds = Number(timeout)
                if (wellFormed.test(timeout) && Number.isFinite(seconds)) {
                  // + 1: floating point on epoch milliseconds
                  assert.isAtMost(remaining, Math.min(seconds * 1000, maxTimeoutMillis) + 1, timeout)
                } else {
                  assert.isAbove(remaining, maxTimeoutMillis, `not ignored: ${JSON.stringify(timeout).slice(0, 80)}`)
                  assert.isAtMost(remaining, defaultTimeoutMillis, timeout)
                }
              }
            ),
            { numRuns: 3000 }
          )
        )
        assert.strictEqual(cases, 3000)
      }),
    120_000
  )
})
