import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Delays from "../src/delays.js"

describe("delays", () => {
  it("linear: min + attempt × multiplier", () => {
    expect(Delays.linear(10, 50, 3)).toBe(160)
  })

  it("exponential: base × factor^(attempt − 1), capped", () => {
    expect(Delays.exponential(100, 2, Infinity, 1)).toBe(100)
    expect(Delays.exponential(100, 2, Infinity, 4)).toBe(800)
    expect(Delays.exponential(100, 2, 500, 4)).toBe(500)
    expect(Delays.exponential(100, 2, Infinity, 0)).toBe(100)
  })

  it("exponential never decreases with the attempt and never exceeds max", () => {
    fc.assert(fc.property(
      fc.double({ min: 0, max: 1e4, noNaN: true }),
      fc.double({ min: 1, max: 4, noNaN: true }),
      fc.nat({ max: 40 }),
      (base, factor, attempt) => {
        const max = base * 10
        const here = Delays.exponential(base, factor, max, attempt)
        return here <= max && Delays.exponential(base, factor, max, attempt + 1) >= here
      }
    ))
  })

  it("jitter: the low half of v lowers, the high half raises, 0.5 keeps", () => {
    expect(Delays.jitter(100, 0.2, 0.5)).toBe(100)
    expect(Delays.jitter(100, 0.2, 0)).toBe(100)
    expect(Delays.jitter(100, 0.2, 0.25)).toBe(90)
    expect(Delays.jitter(100, 0.2, 0.75)).toBe(110)
    expect(Delays.isJittered(100, 0)).toBe(false)
    expect(Delays.isJittered(0, 0.2)).toBe(false)
    expect(Delays.isJittered(100, 0.2)).toBe(true)
  })

  it("jitter stays within millis × (1 ± jitter) and never below 0", () => {
    fc.assert(fc.property(
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (millis, jitter, v) => {
        const d = Delays.jitter(millis, jitter, v)
        const slack = 1e-9 * millis
        return d >= 0 && d >= millis * (1 - jitter) - slack && d <= millis * (1 + jitter) + slack
      }
    ))
  })
})
