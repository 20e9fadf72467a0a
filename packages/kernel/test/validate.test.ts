import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as V from "../src/validate.js"

describe("validate", () => {
  it("builds the refusal message", () => {
    expect(V.message("X.make", "max", "an integer >= 1", "0")).toBe(
      "X.make: option \"max\" must be an integer >= 1, got 0"
    )
  })

  it("shows plain values, arrays, functions and objects, and never throws", () => {
    expect(V.show("a")).toBe("\"a\"")
    expect(V.show(1.5)).toBe("1.5")
    expect(V.show(undefined)).toBe("undefined")
    expect(V.show(null)).toBe("null")
    expect(V.show([1])).toBe("an array")
    expect(V.show(() => 1)).toBe("a function")
    expect(V.show({})).toBe("[object Object]")
    expect(V.show({}, () => "known")).toBe("known")
    const hostile = new Proxy({}, {
      get: () => {
        throw new Error("no")
      }
    })
    expect(V.show(hostile)).toBe("a object that cannot be shown")
    fc.assert(fc.property(fc.anything(), (u) => typeof V.show(u) === "string"))
  })

  it("integer", () => {
    expect(V.integer(3, 1)).toBeUndefined()
    expect(V.integer(0, 1)).toBe("an integer >= 1")
    expect(V.integer(1.5, 1)).toBe("an integer >= 1")
    expect(V.integer("3", 1)).toBe("an integer >= 1")
    fc.assert(
      fc.property(
        fc.anything(),
        fc.integer({ min: -5, max: 5 }),
        (u, min) => (V.integer(u, min) === undefined) === (typeof u === "number" && Number.isInteger(u) && u >= min)
      )
    )
  })

  it("between, inclusive or not", () => {
    expect(V.between(1, 0, 1, true)).toBeUndefined()
    expect(V.between(1, 0, 1, false)).toBe("a number in (0, 1)")
    expect(V.between(Number.NaN, 0, 1, true)).toBe("a number in [0, 1]")
    fc.assert(fc.property(fc.double(), fc.boolean(), (x, inclusive) => {
      const ok = V.between(x, 0, 1, inclusive) === undefined
      return ok === (inclusive ? x >= 0 && x <= 1 : x > 0 && x < 1)
    }))
  })

  it("finiteAtLeast", () => {
    expect(V.finiteAtLeast(0, 0)).toBeUndefined()
    expect(V.finiteAtLeast(Infinity, 0)).toBe("a finite number >= 0")
    expect(V.finiteAtLeast(0.5, 1)).toBe("a finite number >= 1")
  })

  it("durationInput refuses negative numbers, NaN and negative bigints only", () => {
    const rule = { positive: false, allowInfinite: false, clampNegative: false }
    expect(V.durationInput(-1, rule)).toBe("refuse")
    expect(V.durationInput(Number.NaN, rule)).toBe("refuse")
    expect(V.durationInput(BigInt(-1), rule)).toBe("refuse")
    expect(V.durationInput(0, rule)).toBe("decode")
    expect(V.durationInput("5 seconds", rule)).toBe("decode")
    expect(V.durationExpected(rule)).toBe("a finite duration >= 0ms")
  })

  it("boolean, callable, string, oneOf, service, record", () => {
    expect(V.boolean(false)).toBeUndefined()
    expect(V.boolean(0)).toBe("a boolean")
    expect(V.callable(() => 1)).toBeUndefined()
    expect(V.callable({})).toBe("a function")
    expect(V.string("", false)).toBeUndefined()
    expect(V.string("", true)).toBe("a non-empty string")
    expect(V.string(1, false)).toBe("a string")
    expect(V.oneOf("low", ["high", "low"])).toBeUndefined()
    expect(V.oneOf("mid", ["high", "low"])).toBe("\"high\" or \"low\"")
    expect(V.oneOf(3, [1, 2])).toBe("1 or 2")
    expect(V.service({ a: 1, b: 2 }, "S", ["a", "b"])).toBeUndefined()
    expect(V.service({ a: 1 }, "S", ["a", "b"])).toBe("a S service (with a, b)")
    expect(V.record({})).toBeUndefined()
    expect(V.record([])).toBe("an object")
    expect(V.record(null)).toBe("an object")
  })
})
