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

  it("a pushback holds the run until now + wait, or stops it (a stop, a wait to the deadline, a malformed wait)", () => {
    expect(Run.pushbackUntil(100, 1_000, 5_000)).toBe(1_100)
    expect(Run.pushbackUntil(0, 1_000, 5_000)).toBe(1_000)
    expect(Run.pushbackUntil("stop", 1_000, 5_000)).toBe("stop")
    expect(Run.pushbackUntil(4_000, 1_000, 5_000)).toBe("stop")
    expect(Run.pushbackUntil(-1, 1_000, 5_000)).toBe("stop")
    expect(Run.pushbackUntil(Number.NaN, 1_000, 5_000)).toBe("stop")
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.nat(), fc.nat(), (wait, now, budget) => {
        const until = Run.pushbackUntil(wait, now, now + budget)
        return until === "stop"
          ? !(wait >= 0) || now + wait >= now + budget
          : until === now + wait && until < now + budget
      })
    )
  })
})
