import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as CL from "../src/concurrencyLimit.js"
import { priorities } from "../src/priority.js"

const sample = fc.record({
  startMillis: fc.double({ min: 0, max: 1e6, noNaN: true }),
  latencyMillis: fc.double({ min: 0, max: 5000, noNaN: true }),
  inFlight: fc.integer({ min: 1, max: 2000 }),
  outcome: fc.constantFrom("success" as const, "dropped" as const)
})

const boundsArb = fc.integer({ min: 1, max: 100 }).chain((min) =>
  fc.integer({ min, max: 1000 }).chain((max) => fc.integer({ min, max }).map((initial) => ({ min, max, initial })))
)

const run = (limit: CL.Limit, samples: ReadonlyArray<CL.Sample>): Array<number> => {
  let state = limit.initial
  const limits = [state.limit]
  for (const s of samples) {
    state = limit.update(state, s)
    limits.push(state.limit)
  }
  return limits
}

describe("concurrency limit", () => {
  it("fixed never moves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(sample),
        (n, samples) => run(CL.fixed(n), samples).every((l) => l === n)
      )
    )
  })

  it("aimd adds 1 when in use and fast, cuts by backoffRatio when slow or dropped", () => {
    const limit = CL.aimd({
      initial: 10,
      min: 1,
      max: 100,
      backoffRatio: 0.9,
      thresholdMillis: 100,
      halfLifeMillis: Infinity
    })
    const grown = limit.update(limit.initial, { startMillis: 0, latencyMillis: 10, inFlight: 5, outcome: "success" })
    expect(grown.limit).toBe(11)
    const cut = limit.update(limit.initial, { startMillis: 0, latencyMillis: 10, inFlight: 5, outcome: "dropped" })
    expect(cut.limit).toBe(9)
    // admitted before the last decrease: no second cut
    expect(limit.update(cut, { startMillis: 5, latencyMillis: 500, inFlight: 5, outcome: "success" }).limit).toBe(9)
    // idle: no growth
    expect(limit.update(limit.initial, { startMillis: 0, latencyMillis: 10, inFlight: 1, outcome: "success" }).limit)
      .toBe(10)
  })

  it("aimd's decay takes unused growth back by halves, never below initial", () => {
    const limit = CL.aimd({
      initial: 10,
      min: 1,
      max: 100,
      backoffRatio: 0.9,
      thresholdMillis: 100,
      halfLifeMillis: 1000
    })
    let state = limit.initial
    for (let i = 0; i < 30; i++) {
      state = limit.update(state, { startMillis: i, latencyMillis: 1, inFlight: 100, outcome: "success" })
    }
    expect(state.limit).toBe(40)
    state = limit.update(state, { startMillis: 2029, latencyMillis: 1, inFlight: 1, outcome: "success" })
    // two half-lives: 10 + 30 / 4
    expect(state.limit).toBe(17)
  })

  it("aimd stays within [min, max]", () => {
    fc.assert(fc.property(
      boundsArb,
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
      fc.array(sample, { maxLength: 300 }),
      ({ initial, max, min }, backoffRatio, halfLife, samples) => {
        const limit = CL.aimd({
          initial,
          min,
          max,
          backoffRatio,
          thresholdMillis: 1000,
          halfLifeMillis: halfLife ?? Infinity
        })
        return run(limit, samples).every((l) => Number.isInteger(l) && l >= min && l <= max)
      }
    ))
  })

  it("gradient2 stays within [min, max]", () => {
    fc.assert(fc.property(
      boundsArb,
      fc.double({ min: 1, max: 5, noNaN: true }),
      fc.double({ min: 0.01, max: 1, noNaN: true }),
      fc.integer({ min: 1, max: 1000 }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      fc.array(sample, { maxLength: 300 }),
      ({ initial, max, min }, tolerance, smoothing, longWindow, queueSize, samples) => {
        const limit = CL.gradient2({ initial, min, max, tolerance, smoothing, longWindow, queueSize })
        return run(limit, samples).every((l) => Number.isInteger(l) && l >= min && l <= max)
      }
    ))
  })

  it("gradient2 shrinks when latency climbs under load", () => {
    const limit = CL.gradient2({
      initial: 50,
      min: 1,
      max: 1000,
      tolerance: 1.5,
      smoothing: 0.2,
      longWindow: 600,
      queueSize: 4
    })
    let state = limit.initial
    for (let i = 0; i < 20; i++) {
      state = limit.update(state, { startMillis: i, latencyMillis: 10, inFlight: 50, outcome: "success" })
    }
    const before = state.limit
    for (let i = 0; i < 20; i++) {
      state = limit.update(state, { startMillis: i, latencyMillis: 100, inFlight: 50, outcome: "success" })
    }
    expect(state.limit).toBeLessThan(before)
  })

  it("allowance: a share of the limit, at least 1 for high", () => {
    expect(CL.allowance(10, "low", CL.defaultShares)).toBe(5)
    expect(CL.allowance(10, "normal", CL.defaultShares)).toBe(9)
    expect(CL.allowance(0.5, "high", CL.defaultShares)).toBe(1)
  })

  it("admission never lets more in flight than the priority's allowance, and releases give slots back", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("acquire" as const), priority: fc.constantFrom(...priorities) }),
      fc.record({ kind: fc.constant("release" as const) })
    )
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }),
      fc.record({
        high: fc.double({ min: 0, max: 1, noNaN: true }),
        normal: fc.double({ min: 0, max: 1, noNaN: true }),
        low: fc.double({ min: 0, max: 1, noNaN: true })
      }),
      fc.array(op, { maxLength: 200 }),
      (n, shares, ops) => {
        const limit = CL.fixed(n)
        let state = CL.initialState(limit)
        for (const o of ops) {
          if (o.kind === "acquire") {
            const next = CL.acquire(state, o.priority, shares)
            const allowed = CL.allowance(n, o.priority, shares)
            if (next === undefined ? state.inFlight < allowed : next.inFlight > allowed) return false
            if (next !== undefined) state = next
          } else if (state.inFlight > 0) {
            const next = CL.release(state, limit, undefined)
            if (next.inFlight !== state.inFlight - 1) return false
            state = next
          }
        }
        return state.inFlight >= 0
      }
    ))
  })
})

describe("shedMessage", () => {
  it("names the priority, the requests in flight and the limit", () => {
    expect(CL.shedMessage("low", 10, 5)).toBe(
      "load shed: a low-priority request was refused with 5 requests in flight against a concurrency limit " +
        "of 10 (low may use a share of it); retry after a backoff, within a retry budget, or send less " +
        "low-priority traffic"
    )
  })
})
