import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as ClientLimit from "../../src/http/clientLimit.js"

describe("http/clientLimit", () => {
  it("a 503 is a drop, any other status a latency sample", () => {
    fc.assert(fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
      expect(ClientLimit.responseOutcome(status)).toBe(status === 503 ? "dropped" : "success")
    }))
  })

  it("an attempt out of time is a drop; any other end without an answer is ignored", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.double({ noNaN: true }), fc.double({ noNaN: true }), (
        deadlineExceeded,
        interrupted,
        now,
        deadline
      ) => {
        const outcome = ClientLimit.failureOutcome(deadlineExceeded, interrupted, now, deadline)
        const cut = interrupted && now >= deadline
        expect(outcome).toBe(deadlineExceeded || cut ? "dropped" : "ignored")
      })
    )
    // a hedge interrupted because another attempt won, before its deadline
    expect(ClientLimit.failureOutcome(false, true, 100, 250)).toBe("ignored")
    // cut by the strategy at its attempt deadline
    expect(ClientLimit.failureOutcome(false, true, 250, 250)).toBe("dropped")
    // a transport error says nothing about the load
    expect(ClientLimit.failureOutcome(false, false, 300, 250)).toBe("ignored")
  })

  it("only the first attempt's refusal ends the call", () => {
    expect(ClientLimit.refusalEndsCall(0)).toBe(true)
    for (const attempt of [1, 2, 7]) expect(ClientLimit.refusalEndsCall(attempt)).toBe(false)
  })
})
