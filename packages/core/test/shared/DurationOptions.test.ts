/**
 * Issue 21 item 6: every duration option and argument of core follows one
 * rule and reads one way when refused, with units, whatever the bad value
 * (-1, "-1 seconds", NaN, and Infinity where only finite ones are taken). A
 * negative duration is refused however it is written, except where it is
 * documented to mean "already over" (`Deadline.within`, as `fromTimeout`).
 */
import { CircuitBreaker, ConcurrencyLimit, Deadline, Delays, RetryBudget } from "@aio-request/line/core"
import type { DurationInput } from "@aio-request/line/testkit"
import { assert, Cause, describe, Duration, Effect, Exit, it, refused } from "@aio-request/line/testkit"
import * as fc from "fast-check"
import { assertDurationOption } from "./support/durations.js"

const positive = "a finite duration > 0ms"
const nonNegative = "a finite duration >= 0ms"

const breaker = {
  breakDuration: "5 seconds",
  samplingDuration: "10 seconds",
  minimumThroughput: 10,
  failureThreshold: 0.5
} as const

describe("duration options: one rule, one wording, units always", () => {
  it("CircuitBreaker.make and layer: breakDuration and samplingDuration are positive", () => {
    for (const where of ["make", "layer"] as const) {
      for (const option of ["breakDuration", "samplingDuration"] as const) {
        assertDurationOption(
          `CircuitBreaker.${where}`,
          option,
          positive,
          (v) => CircuitBreaker[where]({ ...breaker, [option]: v })
        )
      }
    }
  })

  it("RetryBudget.make and layer: ttl is positive", () => {
    assertDurationOption("RetryBudget.make", "ttl", positive, (v) => RetryBudget.make({ ttl: v }))
    assertDurationOption("RetryBudget.layer", "ttl", positive, (v) => RetryBudget.layer({ ttl: v }))
  })

  it("ConcurrencyLimit.aimd: latencyThreshold is positive, decayHalfLife positive or infinite", () => {
    assertDurationOption(
      "ConcurrencyLimit.aimd",
      "latencyThreshold",
      positive,
      (v) => ConcurrencyLimit.aimd({ latencyThreshold: v })
    )
    assertDurationOption(
      "ConcurrencyLimit.aimd",
      "decayHalfLife",
      "a duration > 0ms",
      (v) => ConcurrencyLimit.aimd({ decayHalfLife: v })
    )
  })

  it("Delays: delays may be zero, the percentile window is positive", () => {
    assertDurationOption("Delays.constant", "delay", nonNegative, (v) => Delays.constant(v))
    assertDurationOption("Delays.linear", "min", nonNegative, (v) => Delays.linear({ min: v }))
    assertDurationOption("Delays.linear", "multiplier", nonNegative, (v) => Delays.linear({ multiplier: v }))
    assertDurationOption("Delays.exponential", "base", nonNegative, (v) => Delays.exponential({ base: v }))
    assertDurationOption("Delays.exponential", "max", nonNegative, (v) => Delays.exponential({ base: 0, max: v }))
    assertDurationOption("Delays.percentile", "min", nonNegative, (v) => Delays.percentile({ min: v }))
    assertDurationOption("Delays.percentile", "max", nonNegative, (v) => Delays.percentile({ min: 0, max: v }))
    assertDurationOption("Delays.percentile", "window", positive, (v) => Delays.percentile({ window: v }))
  })

  it("Delays: a min or base above max names both with units", () => {
    assert.strictEqual(
      refused(() => Delays.exponential({ base: "2 seconds", max: 1500 })),
      "Delays.exponential: option \"base\" must be at most max (1s 500ms), got 2s"
    )
    assert.strictEqual(
      refused(() => Delays.percentile({ max: 10 })),
      "Delays.percentile: option \"min\" must be at most max (10ms), got 50ms"
    )
  })

  it("Deadline.within: a negative timeout, however written, is an expired deadline; NaN is refused", () => {
    assert.strictEqual(
      refused(() => Deadline.within(Effect.void, Number.NaN)),
      "Deadline.within: option \"timeout\" must be a duration, got NaN"
    )
    assert.strictEqual(
      refused(() => Deadline.within(Effect.void, [Number.NaN, 0])),
      "Deadline.within: option \"timeout\" must be a duration, got [NaNs, 0ns]"
    )
    const accepted: ReadonlyArray<DurationInput> = [-1, "-1 seconds", BigInt(-1), [-1, 0], Infinity]
    for (const v of accepted) Deadline.within(Effect.void, v)
  })

  it.effect("DeadlineExceededError always carries a unit: Deadline.within(-1) fails with 'deadline of 0ms exceeded'", () =>
    Effect.gen(function*() {
      for (const timeout of [-1, "-1 seconds", 0] as const) {
        const exit = yield* Effect.exit(Effect.never.pipe(Deadline.within(timeout)))
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          const error = Cause.squash(exit.cause)
          assert.instanceOf(error, Deadline.DeadlineExceededError)
          assert.strictEqual((error as Error).message, "deadline of 0ms exceeded")
        }
      }
      assert.strictEqual(
        new Deadline.DeadlineExceededError({ budget: Duration.zero, phase: "attempt", attempt: 1 }).message,
        "attempt deadline of 0ms exceeded in attempt 1"
      )
      assert.strictEqual(
        new Deadline.DeadlineExceededError({ budget: Duration.infinity, phase: "run" }).message,
        "deadline of infinity exceeded"
      )
    }))

  it("CircuitBreakerOpenError: retryAfter with its unit", () => {
    assert.strictEqual(
      new CircuitBreaker.CircuitBreakerOpenError({ scope: "s", retryAfter: Duration.millis(1500) }).message,
      "circuit for s is open (retry after 1s 500ms)"
    )
  })

  it("a duration reads as Effect's Duration.format writes it, except zero (0ms) and infinity", () => {
    fc.assert(
      fc.property(
        // whole milliseconds up to 99 days (beyond, Effect's own nanosecond count is a float's);
        // nanoseconds below 12 days (the precision of a float of milliseconds)
        fc.oneof(
          fc.tuple(fc.integer({ min: 1, max: 2 ** 33 }), fc.constant(0)),
          fc.tuple(fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 1, max: 999_999 }))
        ),
        ([ms, ns]) => {
          const d = Duration.sum(Duration.millis(ms), Duration.nanos(BigInt(ns)))
          return new CircuitBreaker.CircuitBreakerOpenError({ scope: "s", retryAfter: d }).message ===
            `circuit for s is open (retry after ${Duration.format(d)})`
        }
      )
    )
  })
})
