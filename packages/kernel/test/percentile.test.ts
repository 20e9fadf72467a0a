import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Digest, type Settings } from "../src/percentile.js"

const settings: Settings = {
  percentile: 0.9,
  minMillis: 1,
  maxMillis: 10_000,
  windowMillis: 60_000,
  buckets: 2,
  maxKeys: 3
}

describe("percentile digest", () => {
  it("with no data the delay is min × attempt", () => {
    const digest = new Digest(settings)
    expect(digest.delay("a", 2, 0)).toBe(2)
    expect(digest.percentileOf("a", 0)).toBeUndefined()
  })

  it("finds the percentile within 2%", () => {
    const digest = new Digest(settings)
    for (let i = 1; i <= 100; i++) digest.observe("a", i * 10, 0)
    const p90 = digest.percentileOf("a", 1)!
    expect(Math.abs(p90 - 900) / 900).toBeLessThan(0.02)
    expect(digest.delay("a", 3, 1)).toBeCloseTo(p90 * 3)
  })

  it("clamps the delay to [min, max]", () => {
    const digest = new Digest({ ...settings, minMillis: 50, maxMillis: 100 })
    digest.observe("fast", 1, 0)
    digest.observe("slow", 5000, 0)
    expect(digest.delay("fast", 1, 0)).toBe(50)
    expect(digest.delay("slow", 1, 0)).toBe(100)
  })

  it("forgets latencies older than the window", () => {
    const digest = new Digest(settings)
    digest.observe("a", 500, 0)
    expect(digest.percentileOf("a", 59_999)).toBeDefined()
    expect(digest.percentileOf("a", 60_000)).toBeUndefined()
  })

  it("keeps at most maxKeys, evicting the least recently used", () => {
    const digest = new Digest(settings)
    digest.observe("a", 5, 0)
    digest.observe("b", 5, 1)
    digest.observe("c", 5, 2)
    digest.observe("a", 5, 3)
    digest.observe("d", 5, 4)
    expect(digest.size).toBe(3)
    expect(digest.percentileOf("b", 4)).toBeUndefined()
    expect(digest.percentileOf("a", 4)).toBeDefined()
  })

  it("the percentile is within 2% of the exact one (latencies within [0.1, max])", () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0.1, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 200 }),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      (latencies, percentile) => {
        const digest = new Digest({ ...settings, percentile })
        for (const l of latencies) digest.observe("k", l, 0)
        const sorted = [...latencies].sort((a, b) => a - b)
        const exact = sorted[Math.ceil(percentile * sorted.length) - 1]!
        const estimate = digest.percentileOf("k", 0)!
        return Math.abs(estimate - exact) / exact <= 0.0201
      }
    ))
  })
})
