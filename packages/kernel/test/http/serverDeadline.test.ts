import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as ServerDeadline from "../../src/http/serverDeadline.js"

const decision = (cancelOnTimeout: boolean, deadline: number, threshold = 5): ServerDeadline.Decision => ({
  options: { cancelOnTimeout, lowTimeoutThresholdMillis: threshold },
  deadline: { epochMillis: deadline },
  outcome: "pending"
})

describe("http/serverDeadline", () => {
  it("decides once: every later decision repeats the first", () => {
    fc.assert(fc.property(
      fc.boolean(),
      fc.array(fc.tuple(fc.integer({ min: 100, max: 599 }), fc.integer({ min: 0, max: 2000 })), {
        minLength: 1,
        maxLength: 5
      }),
      (cancel, calls) => {
        const state = decision(cancel, 1000)
        const first = ServerDeadline.decide(state, calls[0]![0], calls[0]![1])
        return calls.every(([status, now]) => ServerDeadline.decide(state, status, now) === first)
      }
    ))
  })

  it("without cancelOnTimeout, an answer is never turned into a 408 by its time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.integer(),
        (status, now) => ServerDeadline.decide(decision(false, 0), status, now) === false
      )
    )
  })

  it("with cancelOnTimeout, nothing past the deadline, and no 5xx just before it, is answered", () => {
    expect(ServerDeadline.decide(decision(true, 1000), 200, 1000)).toBe(true)
    expect(ServerDeadline.decide(decision(true, 1000), 200, 999)).toBe(false)
    expect(ServerDeadline.decide(decision(true, 1000), 503, 996)).toBe(true)
    expect(ServerDeadline.decide(decision(true, 1000), 503, 995)).toBe(false)
  })

  it("claims a timeout unless an answer came first", () => {
    const state = decision(true, 1000)
    ServerDeadline.decide(state, 200, 0)
    expect(ServerDeadline.claimTimeout(state)).toBe(false)
    const other = decision(true, 1000)
    expect(ServerDeadline.claimTimeout(other)).toBe(true)
    expect(ServerDeadline.decide(other, 200, 0)).toBe(true)
  })

  it("records 499 for a caller gone, else the decided status", () => {
    expect(ServerDeadline.recordedStatus(decision(true, 0), 200, true, 10)).toBe(499)
    expect(ServerDeadline.recordedStatus(decision(true, 0), 200, false, 10)).toBe(408)
    expect(ServerDeadline.recordedStatus(decision(false, 0), 200, false, 10)).toBe(200)
  })

  it("caps the header's timeout, refuses too little time on arrival", () => {
    expect(ServerDeadline.cappedTimeout(undefined, 10)).toBeUndefined()
    expect(ServerDeadline.cappedTimeout(20, 10)).toBe(10)
    const options = { cancelOnTimeout: false, lowTimeoutThresholdMillis: 5 }
    expect(ServerDeadline.refusedOnArrival(4, 1004, 1010, options)).toBe(true)
    expect(ServerDeadline.refusedOnArrival(5, 1005, 1010, options)).toBe(false)
    expect(ServerDeadline.refusedOnArrival(5, 1005, 1010, { ...options, cancelOnTimeout: true })).toBe(true)
    expect(ServerDeadline.tooLittleLeft(0, 0)).toBe(true)
    expect(ServerDeadline.tooLittleLeft(4, 5)).toBe(true)
    expect(ServerDeadline.tooLittleLeft(5, 5)).toBe(false)
    expect(ServerDeadline.arrivalMillis(1000, 5_000_000n, 2_000_000n)).toBe(997)
  })
})
