import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as D from "../src/duration.js"
import * as V from "../src/validate.js"

describe("duration", () => {
  it("format: Effect's notation, a unit always", () => {
    expect(D.format(0)).toBe("0ms")
    expect(D.format(-0)).toBe("0ms")
    expect(D.format(333)).toBe("333ms")
    expect(D.format(1500)).toBe("1s 500ms")
    expect(D.format(90_000)).toBe("1m 30s")
    expect(D.format(86_400_000 + 3_600_000 + 1)).toBe("1d 1h 1ms")
    expect(D.format(1.5)).toBe("1ms 500000ns")
    expect(D.format(0.000001)).toBe("1ns")
    expect(D.format(0.9999999)).toBe("1ms")
    expect(D.format(-1)).toBe("-1ms")
    expect(D.format(Infinity)).toBe("infinity")
    expect(D.format(-Infinity)).toBe("-infinity")
    expect(D.format(Number.NaN)).toBe("NaN")
  })

  it("format: every finite duration reads with a unit, and whole milliseconds add up", () => {
    const factor: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 }
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => {
      const text = D.format(ms)
      const parts = text.split(" ").map((p) => /^(\d+)(d|h|m|s|ms)$/.exec(p))
      return parts.every((p) => p !== null) &&
        parts.reduce((sum, p) => sum + Number(p![1]) * factor[p![2]!]!, 0) === ms
    }))
  })

  it("sign: negative or NaN however written, as Effect would read it", () => {
    expect(D.sign(-1)).toBe("negative")
    expect(D.sign(-Infinity)).toBe("negative")
    expect(D.sign(Number.NaN)).toBe("nan")
    expect(D.sign(BigInt(-1))).toBe("negative")
    expect(D.sign("-1 seconds")).toBe("negative")
    expect(D.sign("-0.5 millis")).toBe("negative")
    expect(D.sign([-1, 0])).toBe("negative")
    expect(D.sign([0, -1])).toBe("negative")
    expect(D.sign([-Infinity, 0])).toBe("negative")
    expect(D.sign([Number.NaN, 0])).toBe("nan")
    for (const fine of [0, -0, 1, Infinity, BigInt(0), "0 seconds", "-0 seconds", "1 second", [1, -1], [Infinity, 0]]) {
      expect(D.sign(fine)).toBeUndefined()
    }
    for (const unknown of ["soon", "- 1 seconds", {}, null, undefined, [1], [-1, 0, 0], ["-1", 0]]) {
      expect(D.sign(unknown)).toBeUndefined()
    }
    fc.assert(fc.property(fc.double(), (x) => D.sign(x) === (Number.isNaN(x) ? "nan" : x < 0 ? "negative" : undefined)))
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom("nanos", "millis", "seconds", "weeks"),
        (n, unit) => D.sign(`${n} ${unit}`) === (n < 0 ? "negative" : undefined)
      )
    )
  })
})

describe("validate: durations", () => {
  const rule = (positive: boolean, allowInfinite: boolean, clampNegative = false) => ({
    positive,
    allowInfinite,
    clampNegative
  })

  it("one wording per rule", () => {
    expect(V.durationExpected(rule(false, false))).toBe("a finite duration >= 0ms")
    expect(V.durationExpected(rule(true, false))).toBe("a finite duration > 0ms")
    expect(V.durationExpected(rule(false, true))).toBe("a duration >= 0ms")
    expect(V.durationExpected(rule(true, true))).toBe("a duration > 0ms")
    expect(V.durationExpected(rule(false, true, true))).toBe("a duration")
    expect(V.durationExpected(rule(false, false, true))).toBe("a finite duration")
  })

  it("durationInput: NaN refused, negatives refused or read as zero, the rest decoded by the glue", () => {
    for (const r of [rule(false, false), rule(true, true)]) {
      expect(V.durationInput(Number.NaN, r)).toBe("refuse")
      expect(V.durationInput("-1 seconds", r)).toBe("refuse")
      expect(V.durationInput([-1, 0], r)).toBe("refuse")
      expect(V.durationInput(0, r)).toBe("decode")
    }
    const clamp = rule(false, true, true)
    expect(V.durationInput(-1, clamp)).toBe("zero")
    expect(V.durationInput("-1 seconds", clamp)).toBe("zero")
    expect(V.durationInput(Number.NaN, clamp)).toBe("refuse")
  })

  it("durationMillis: zero when positive and infinity unless allowed", () => {
    expect(V.durationMillis(0, rule(false, false))).toBeUndefined()
    expect(V.durationMillis(0, rule(true, false))).toBe("a finite duration > 0ms")
    expect(V.durationMillis(0.000001, rule(true, false))).toBeUndefined()
    expect(V.durationMillis(Infinity, rule(false, false))).toBe("a finite duration >= 0ms")
    expect(V.durationMillis(Infinity, rule(true, true))).toBeUndefined()
  })

  it("showDuration: the refused value with its unit", () => {
    expect(V.showDuration(-1)).toBe("-1ms")
    expect(V.showDuration(1500)).toBe("1500ms")
    expect(V.showDuration(Number.NaN)).toBe("NaN")
    expect(V.showDuration(Infinity)).toBe("Infinity")
    expect(V.showDuration(BigInt(-1))).toBe("-1ns")
    expect(V.showDuration([-1, 0])).toBe("[-1s, 0ns]")
    expect(V.showDuration("-1 seconds")).toBe("\"-1 seconds\"")
    expect(V.showDuration({}, () => "2s")).toBe("2s")
  })
})
