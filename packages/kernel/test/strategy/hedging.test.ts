import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Hedging } from "../../src/strategy/hedging.js"

describe("strategy/hedging", () => {
  it("schedules each hedge at its delay after the start, capped by the deadline", () => {
    const hedging = new Hedging<string>(3, 1000)
    expect(hedging.schedule(50, 1000, 5000)).toBe(1050)
    expect(hedging.schedule(9000, 1000, 5000)).toBe(5000)
    // its instant has come: at once
    expect(hedging.schedule(50, 1050, 5000)).toBeUndefined()
    expect(hedging.schedule(0, 1000, 5000)).toBeUndefined()
  })

  it("counts what it sends and is exhausted after the last attempt, or a refusal", () => {
    const hedging = new Hedging<string>(2, 0)
    expect(hedging.hasNext()).toBe(true)
    hedging.sent()
    expect(hedging.hasNext()).toBe(true)
    hedging.sent()
    expect(hedging.exhausted).toBe(false)
    expect(hedging.hasNext()).toBe(false)
    expect(hedging.exhausted).toBe(true)
    const refused = new Hedging<string>(3, 0)
    refused.sent()
    refused.refused()
    expect(refused.settled(0)).toBe(true)
    expect(refused.settled(1)).toBe(false)
  })

  it("keeps the first rejection only", () => {
    const hedging = new Hedging<string>(3, 0)
    expect(hedging.reject("a")).toBe(true)
    expect(hedging.reject("b")).toBe(false)
    expect(hedging.firstRejected).toBe("a")
  })

  it("starts the scheduled hedge at once on a rejection, or keeps the rejection for the next one", () => {
    const hedging = new Hedging<string>(3, 0)
    expect(hedging.startsNext(true)).toBe(true)
    expect(hedging.kicks).toBe(0)
    expect(hedging.startsNext(false)).toBe(false)
    expect(hedging.kicks).toBe(1)
    // the kept rejection starts the next attempt at once, even before its delay
    expect(hedging.schedule(500, 0, 5000)).toBeUndefined()
    expect(hedging.kicks).toBe(0)
    expect(hedging.schedule(500, 0, 5000)).toBe(500)
    // nothing left to send: a rejection is not kept
    hedging.refused()
    expect(hedging.startsNext(false)).toBe(false)
    expect(hedging.kicks).toBe(0)
  })

  it("never sends more than its attempts, whatever the order of rejections and hedges", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.constantFrom("hedge" as const, "reject" as const), { maxLength: 30 }),
      (attempts, steps) => {
        const hedging = new Hedging<number>(attempts, 0)
        let sent = 0
        let pending = false
        const sendNext = () => {
          pending = false
          hedging.sent()
          sent++
          // the glue's scheduleNext: at once on a kept rejection, else at its delay
          while (hedging.hasNext()) {
            if (hedging.schedule(100, 0, 1000) === undefined) {
              hedging.sent()
              sent++
            } else {
              pending = true
              break
            }
          }
        }
        sendNext()
        for (const step of steps) {
          if (step === "hedge" && pending) sendNext()
          if (step === "reject" && hedging.startsNext(pending)) sendNext()
        }
        expect(sent).toBeLessThanOrEqual(attempts)
        expect(hedging.index).toBe(sent)
        if (hedging.exhausted) expect(sent).toBe(attempts)
      }
    ))
  })

  it("is held back by a pushback that stops, or whose instant is still to come", () => {
    const hedging = new Hedging<string>(3, 0)
    fc.assert(fc.property(fc.nat(), fc.nat(), (until, now) => {
      expect(hedging.holdsBack(undefined, now)).toBe(false)
      expect(hedging.holdsBack("stop", now)).toBe(true)
      expect(hedging.holdsBack(until, now)).toBe(until > now)
    }))
  })
})
