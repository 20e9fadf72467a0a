import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Priority from "../src/priority.js"

describe("priority", () => {
  it("parses the three levels in any case, with white space around", () => {
    expect(Priority.parse(" HIGH ")).toBe("high")
    expect(Priority.parse("Normal")).toBe("normal")
    expect(Priority.parse("low")).toBe("low")
  })

  it("reads anything else as no priority", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const parsed = Priority.parse(s)
      return parsed === undefined || Priority.priorities.includes(parsed)
    }))
    expect(Priority.parse(undefined)).toBeUndefined()
    expect(Priority.parse("urgent")).toBeUndefined()
  })

  it("softens only a high/low conflict", () => {
    expect(Priority.normalize("low", "high")).toBe("normal")
    expect(Priority.normalize("high", "low")).toBe("normal")
    fc.assert(fc.property(
      fc.constantFrom(...Priority.priorities),
      fc.option(fc.constantFrom(...Priority.priorities), { nil: undefined }),
      (requested, inherited) => {
        const result = Priority.normalize(requested, inherited)
        const conflict = (requested === "low" && inherited === "high") || (requested === "high" && inherited === "low")
        return conflict ? result === "normal" : result === requested
      }
    ))
  })
})
