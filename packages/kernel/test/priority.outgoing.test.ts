import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Priority from "../src/priority.js"

const priority = fc.constantFrom(...Priority.priorities)
const maybe = fc.option(priority, { nil: undefined })

describe("priority an outgoing call sends", () => {
  it("with no explicit priority: the inherited one, else normal", () => {
    expect(Priority.outgoing(undefined, undefined)).toBe("normal")
    for (const inherited of Priority.priorities) expect(Priority.outgoing(undefined, inherited)).toBe(inherited)
  })

  it("with an explicit one: normalised against the inherited one", () => {
    fc.assert(
      fc.property(
        priority,
        maybe,
        (explicit, inherited) => Priority.outgoing(explicit, inherited) === Priority.normalize(explicit, inherited)
      )
    )
    expect(Priority.outgoing("low", "high")).toBe("normal")
    expect(Priority.outgoing("high", "low")).toBe("normal")
    expect(Priority.outgoing("high", undefined)).toBe("high")
  })

  it("never jumps a level: a high and a low never meet across one hop", () => {
    fc.assert(fc.property(maybe, maybe, (explicit, inherited) => {
      const sent = Priority.outgoing(explicit, inherited)
      return inherited === undefined || !(sent === "high" && inherited === "low") &&
          !(sent === "low" && inherited === "high")
    }))
  })
})

describe("priority cap", () => {
  it("lowers to the cap, never raises", () => {
    expect(Priority.atMost("high", "normal")).toBe("normal")
    expect(Priority.atMost("low", "normal")).toBe("low")
    expect(Priority.atMost("normal", "normal")).toBe("normal")
    const rank = (p: Priority.Priority) => Priority.priorities.length - Priority.priorities.indexOf(p)
    fc.assert(fc.property(priority, priority, (p, max) => {
      const capped = Priority.atMost(p, max)
      return rank(capped) <= rank(max) && rank(capped) <= rank(p) && (rank(p) > rank(max) || capped === p)
    }))
  })
})
