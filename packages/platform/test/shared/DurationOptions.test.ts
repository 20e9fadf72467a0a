/**
 * Issue 21 item 6: the duration options of the platform package follow
 * core's one rule and read one way when refused, with units, whatever the
 * bad value (-1, "-1 seconds", NaN, and Infinity: every one is finite).
 */
import { ConcurrencyLimit } from "@aio-request/line/core"
import { ResilientHttpClient, ServerMiddleware } from "@aio-request/line/platform"
import { assert, describe, Effect, HttpServerResponse, it, refused } from "@aio-request/line/platform-testkit"
import { assertDurationOption } from "../../../core/test/shared/support/durations.js"

const positive = "a finite duration > 0ms"
const nonNegative = "a finite duration >= 0ms"

describe("platform duration options: one rule, one wording, units always", () => {
  it("ServerMiddleware.make: timeout and maxTimeout are positive, lowTimeoutThreshold may be zero", () => {
    const where = "ServerMiddleware.make"
    assertDurationOption(where, "timeout", positive, (v) => ServerMiddleware.make({ timeout: v }))
    assertDurationOption(where, "maxTimeout", positive, (v) => ServerMiddleware.make({ maxTimeout: v }))
    assertDurationOption(
      where,
      "lowTimeoutThreshold",
      nonNegative,
      (v) => ServerMiddleware.make({ lowTimeoutThreshold: v })
    )
  })

  it("ServerMiddleware.make: a timeout below lowTimeoutThreshold is named with its unit", () => {
    assert.strictEqual(
      refused(() => ServerMiddleware.make({ timeout: 3, lowTimeoutThreshold: "5 millis" })),
      "ServerMiddleware.make: option \"timeout\" must be at least lowTimeoutThreshold, got 3ms"
    )
  })

  it("ServerMiddleware.make: shedRetryAfter is positive", () => {
    const concurrencyLimit = Effect.runSync(ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) }))
    assertDurationOption(
      "ServerMiddleware.make",
      "shedRetryAfter",
      positive,
      (v) => ServerMiddleware.make({ concurrencyLimit, shedRetryAfter: v })
    )
  })

  it("ServerMiddleware.routeTimeout: the timeout may be zero", () => {
    const handler = Effect.succeed(HttpServerResponse.text("ok"))
    assertDurationOption(
      "ServerMiddleware.routeTimeout",
      "timeout",
      nonNegative,
      (v) => ServerMiddleware.routeTimeout(handler, v)
    )
  })

  it("ResilientHttpClient.make: timeout is positive, lowTimeoutThreshold may be zero", () => {
    const endpoint = "http://127.0.0.1:1/"
    const where = "ResilientHttpClient.make"
    assertDurationOption(where, "timeout", positive, (v) => ResilientHttpClient.make({ endpoint, timeout: v }))
    assertDurationOption(
      where,
      "lowTimeoutThreshold",
      nonNegative,
      (v) => ResilientHttpClient.make({ endpoint, lowTimeoutThreshold: v })
    )
  })
})
