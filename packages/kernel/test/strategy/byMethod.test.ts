import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { methodTable } from "../../src/strategy/byMethod.js"

describe("strategy/byMethod", () => {
  it("matches methods in any case, the fallback for the others and for none", () => {
    const table = methodTable([["get", "g"], ["Post", "p"]], "f")
    expect(table.methods).toEqual(["GET", "POST"])
    expect(table.select("GET")).toBe("g")
    expect(table.select("get")).toBe("g")
    expect(table.select("pOsT")).toBe("p")
    expect(table.select("PUT")).toBe("f")
    expect(table.select(undefined)).toBe("f")
  })

  it("a later entry for the same method wins", () => {
    const table = methodTable([["get", 1], ["GET", 2]], 0)
    expect(table.methods).toEqual(["GET"])
    expect(table.select("get")).toBe(2)
  })

  it("finds every method it was given", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Z]{1,8}$/)), (methods) => {
      const table = methodTable(methods.map((method, i) => [method.toLowerCase(), i] as const), -1)
      return methods.every((method, i) => table.select(method) === i)
    }))
  })
})
