import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Run from "../../src/strategy/run.js"

const kind = fc.constantFrom<Run.AttemptKind>("first", "hedge", "retry")
const verdict = fc.constantFrom<Run.Verdict>("accept", "reject")

describe("strategy/run", () => {
  it("reports attempt 0 as the first, any other with the kind it was sent as", () => {
    fc.assert(fc.property(fc.nat(), kind, (number, k) => {
      const reported = Run.attemptKind(number, k)
      return number === 0 ? reported === "first" : reported === k
    }))
  })

  it("gives an attempt a cut of its own only before the run's deadline", () => {
    expect(Run.hasOwnCut(500, 1000)).toBe(true)
    expect(Run.hasOwnCut(1000, 1000)).toBe(false)
    expect(Run.hasOwnCut(Infinity, Infinity)).toBe(false)
  })

  it("makes the first attempt deposit and every later one withdraw", () => {
    expect(Run.deposits(0)).toBe(true)
    fc.assert(fc.property(fc.integer({ min: 1 }), (n) => !Run.deposits(n)))
  })

  it("ends a run on an accepted outcome or at its deadline", () => {
    fc.assert(
      fc.property(
        verdict,
        fc.option(fc.constant(true), { nil: undefined }),
        (v, expired) => Run.isFinal(v, expired) === (v === "accept" || expired === true)
      )
    )
  })
})
