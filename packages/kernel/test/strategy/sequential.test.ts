import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Sequential from "../../src/strategy/sequential.js"

describe("strategy/sequential", () => {
  it("retries a rejection while attempts remain, never an accepted or expired outcome", () => {
    expect(Sequential.shouldRetry("reject", undefined, 1, 3)).toBe(true)
    expect(Sequential.shouldRetry("reject", undefined, 3, 3)).toBe(false)
    expect(Sequential.shouldRetry("accept", undefined, 1, 3)).toBe(false)
    expect(Sequential.shouldRetry("reject", true, 1, 3)).toBe(false)
    fc.assert(fc.property(
      fc.constantFrom("accept" as const, "reject" as const),
      fc.option(fc.constant(true as const), { nil: undefined }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 10 }),
      (verdict, expired, next, attempts) =>
        Sequential.shouldRetry(verdict, expired, next, attempts) ===
          (verdict === "reject" && expired === undefined && next < attempts)
    ))
  })

  it("stops when the wait outlasts the deadline, sends at once without a wait, waits otherwise", () => {
    expect(Sequential.retryPlan(100, 1000, 1050)).toBe("stop")
    expect(Sequential.retryPlan(50, 1000, 1050)).toBe("wait")
    expect(Sequential.retryPlan(0, 1000, 1050)).toBe("now")
    expect(Sequential.retryPlan(0, 1050, 1050)).toBe("now")
    expect(Sequential.retryPlan(0, 1100, 1050)).toBe("stop")
    fc.assert(fc.property(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000), (wait, now, deadline) => {
      const plan = Sequential.retryPlan(wait, now, deadline)
      if (now + wait > deadline) return plan === "stop"
      return plan === (wait === 0 ? "now" : "wait")
    }))
  })
})
