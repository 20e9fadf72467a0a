import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Budget } from "../src/retryBudget.js"

describe("retry budget", () => {
  it("allows minPerSecond × ttl extra attempts with no traffic", () => {
    const budget = new Budget({ ratio: 0.2, minPerSecond: 1, ttlMillis: 3000 })
    expect(budget.reserve).toBe(3)
    expect([budget.tryWithdraw(0), budget.tryWithdraw(0), budget.tryWithdraw(0), budget.tryWithdraw(0)])
      .toEqual([true, true, true, false])
  })

  it("earns ratio extra attempts per first attempt", () => {
    const budget = new Budget({ ratio: 0.29, minPerSecond: 0, ttlMillis: 1000 })
    for (let i = 0; i < 100; i++) budget.deposit(0)
    let allowed = 0
    while (budget.tryWithdraw(0)) allowed++
    expect(allowed).toBe(29)
  })

  it("forgets deposits and withdrawals after ttl", () => {
    const budget = new Budget({ ratio: 1, minPerSecond: 0, ttlMillis: 1000 })
    budget.deposit(0)
    expect(budget.tryWithdraw(0)).toBe(true)
    expect(budget.tryWithdraw(0)).toBe(false)
    budget.deposit(1000)
    expect(budget.tryWithdraw(1000)).toBe(true)
  })

  it("never allows more extra attempts than ratio × first attempts + minPerSecond × ttl", () => {
    const step = fc.record({ gap: fc.integer({ min: 0, max: 50 }), deposit: fc.boolean() })
    fc.assert(fc.property(
      fc.double({ min: 0, max: 3, noNaN: true }),
      fc.double({ min: 0, max: 20, noNaN: true }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.array(step, { maxLength: 300 }),
      (ratio, minPerSecond, ttlMillis, steps) => {
        // all before ttl: nothing expires, so the bound holds over the whole run
        const budget = new Budget({ ratio, minPerSecond, ttlMillis })
        let now = 0
        let deposits = 0
        let withdrawals = 0
        for (const { deposit, gap } of steps) {
          now = Math.min(now + gap, ttlMillis - 1)
          if (deposit) {
            budget.deposit(now)
            deposits++
          } else if (budget.tryWithdraw(now)) {
            withdrawals++
          }
        }
        return withdrawals <= ratio * deposits + minPerSecond * ttlMillis / 1000 + 1e-6
      }
    ))
  })
})
