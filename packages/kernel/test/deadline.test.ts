import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Deadline from "../src/deadline.js"

describe("deadline", () => {
  it("a timeout ends its length after now; a negative one has passed already", () => {
    expect(Deadline.after(1000, 250)).toBe(1250)
    expect(Deadline.after(1000, -5)).toBe(1000)
    expect(Deadline.after(1000, Infinity)).toBe(Infinity)
    expect(Deadline.epochMillis(Number.NaN)).toBe(0)
  })

  it("remaining is never below 0 and Infinity for a deadline that never passes", () => {
    expect(Deadline.remaining(Infinity, 5)).toBe(Infinity)
    expect(Deadline.remaining(1500, 1000)).toBe(500)
    expect(Deadline.remaining(1000, 1500)).toBe(0)
    fc.assert(fc.property(fc.integer(), fc.integer(), (deadline, now) => {
      const left = Deadline.remaining(deadline, now)
      return left >= 0 && (left === 0) === Deadline.isExpired(deadline, now) && (left === 0 || now + left === deadline)
    }))
  })

  it("earlier keeps the first on a tie", () => {
    const a = { epochMillis: 5 }
    const b = { epochMillis: 5 }
    expect(Deadline.earlier(a, b)).toBe(a)
    expect(Deadline.earlier({ epochMillis: 7 }, b)).toBe(b)
  })

  it("shows an ISO instant or never", () => {
    expect(Deadline.show(0)).toBe("1970-01-01T00:00:00.000Z")
    expect(Deadline.show(Infinity)).toBe("never")
  })

  it("splits what is left evenly between the attempts still to come", () => {
    expect(Deadline.splitShare(1300, 1000, 0, 3, undefined)).toBe(1100)
    expect(Deadline.splitShare(1300, 1000, 0, 3, 2)).toBe(1150)
    expect(Deadline.splitShare(1300, 1000, 2, 3, undefined)).toBeUndefined()
    expect(Deadline.splitShare(Infinity, 1000, 0, 3, undefined)).toBeUndefined()
    expect(Deadline.splitShare(900, 1000, 0, 3, undefined)).toBeUndefined()
  })

  it("a share is after now and never beyond the deadline", () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1e9 }),
      fc.integer({ min: 1, max: 1e7 }),
      fc.integer({ min: 1, max: 20 }).chain((attempts) =>
        fc.tuple(fc.constant(attempts), fc.nat({ max: attempts - 1 }))
      ),
      fc.option(fc.integer({ min: 2, max: 20 }), { nil: undefined }),
      (now, left, [attempts, attempt], attemptsToSplit) => {
        const share = Deadline.splitShare(now + left, now, attempt, attempts, attemptsToSplit)
        return share === undefined || (share > now && share <= now + left)
      }
    ))
  })
})

describe("exceededMessage", () => {
  it("says where the deadline ran out, with the budget, the attempt and the subject", () => {
    expect(Deadline.exceededMessage({})).toBe("the deadline has passed")
    expect(Deadline.exceededMessage({ reason: "below-threshold" })).toBe(
      "the remaining deadline is below the low-timeout threshold"
    )
    expect(Deadline.exceededMessage({ reason: "below-threshold", budget: "5ms" })).toBe(
      "the remaining deadline of 5ms is below the low-timeout threshold"
    )
    expect(Deadline.exceededMessage({ budget: "1s", phase: "attempt", attempt: 2 })).toBe(
      "attempt deadline of 1s exceeded in attempt 2"
    )
    expect(Deadline.exceededMessage({ budget: "1s", phase: "body", subject: "GET /export" })).toBe(
      "GET /export: deadline of 1s exceeded while reading the body"
    )
    expect(Deadline.exceededMessage({ budget: "1s", phase: "run", attempt: 0 })).toBe(
      "deadline of 1s exceeded with attempt 0 in flight"
    )
    expect(Deadline.exceededMessage({ phase: "run" })).toBe("deadline exceeded")
  })

  it("always names the subject first when there is one", () => {
    fc.assert(fc.property(
      fc.string({ minLength: 1 }),
      fc.option(fc.constantFrom("attempt", "run", "body") as fc.Arbitrary<"attempt" | "run" | "body">, {
        nil: undefined
      }),
      (subject, phase) => Deadline.exceededMessage({ subject, phase }).startsWith(`${subject}: `)
    ))
  })
})
