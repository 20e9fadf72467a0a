import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  Breaker,
  breakLeft,
  type Checks,
  openMessage,
  outcomeOf,
  type RunTicket,
  type Settings,
  settingsOf,
  type StateChange
} from "../src/breaker.js"

const settings: Settings = {
  breakMillis: 1000,
  bucketMillis: 100,
  windowsCount: 10,
  minimumThroughput: 4,
  failureThreshold: 0.5,
  maxScopes: 100
}

const run = (breaker: Breaker, scope: string, now: number): RunTicket => {
  const ticket = breaker.admit(scope, now)
  if (ticket._tag !== "Run") throw new Error(`refused: ${ticket.retryAfter}`)
  return ticket
}

/** Opens `scope` at `now` with `minimumThroughput` failures. */
const trip = (breaker: Breaker, scope: string, now: number): StateChange | undefined => {
  let change: StateChange | undefined
  for (let i = 0; i < breaker.settings.minimumThroughput; i++) {
    change = breaker.complete(scope, run(breaker, scope, now), true, now) ?? change
  }
  return change
}

describe("breaker", () => {
  it("a scope not kept is closed", () => {
    const breaker = new Breaker(settings)
    expect(breaker.stateOf("a")).toBe("closed")
    expect(breaker.snapshot().size).toBe(0)
  })

  it("every call of a closed generation shares one ticket", () => {
    const breaker = new Breaker(settings)
    expect(breaker.admit("a", 0)).toBe(breaker.admit("a", 5))
  })

  it("opens after minimumThroughput outcomes at failureThreshold, then refuses for the break", () => {
    const breaker = new Breaker(settings)
    expect(trip(breaker, "a", 0)).toEqual({ scope: "a", from: "closed", to: "open" })
    expect(breaker.stateOf("a")).toBe("open")
    expect(breaker.admit("a", 400)).toEqual({ _tag: "Reject", retryAfter: 600 })
    expect(breakLeft(breaker.circuits.get("a")!, 400)).toBe(600)
  })

  it("does not open below minimumThroughput, nor below failureThreshold", () => {
    const breaker = new Breaker(settings)
    for (let i = 0; i < 3; i++) expect(breaker.complete("a", run(breaker, "a", 0), true, 0)).toBeUndefined()
    for (let i = 0; i < 4; i++) breaker.complete("a", run(breaker, "a", 0), false, 0)
    expect(breaker.stateOf("a")).toBe("closed")
    // 4 failures out of 8 = 0.5: opens
    expect(breaker.complete("a", run(breaker, "a", 0), true, 0)).toEqual({ scope: "a", from: "closed", to: "open" })
  })

  it("a success never opens the circuit; an interruption counts as nothing", () => {
    const breaker = new Breaker({ ...settings, minimumThroughput: 1, failureThreshold: 0.01 })
    const ticket = run(breaker, "a", 0)
    expect(breaker.complete("a", ticket, false, 0)).toBeUndefined()
    expect(breaker.complete("a", ticket, "interrupted", 0)).toBeUndefined()
    expect(breaker.circuits.get("a")!.window.sum(0, 0)).toBe(1)
    expect(breaker.circuits.get("a")!.window.sum(0, 1)).toBe(0)
  })

  it("after the break one probe runs; it closes the circuit with a fresh window", () => {
    const breaker = new Breaker(settings)
    trip(breaker, "a", 0)
    const probe = run(breaker, "a", 1000)
    expect(probe.probe).toBe(true)
    expect(probe.transition).toEqual({ scope: "a", from: "open", to: "half-open" })
    expect(breaker.admit("a", 1000)).toEqual({ _tag: "Reject", retryAfter: 1000 })
    expect(breaker.complete("a", probe, false, 1100)).toEqual({ scope: "a", from: "half-open", to: "closed" })
    expect(breaker.circuits.get("a")!.window.isEmpty(1100)).toBe(true)
  })

  it("a failed probe opens for another break; an interrupted one lets the next caller probe", () => {
    const breaker = new Breaker(settings)
    trip(breaker, "a", 0)
    expect(breaker.complete("a", run(breaker, "a", 1000), true, 1200)).toEqual({
      scope: "a",
      from: "half-open",
      to: "open"
    })
    expect(breaker.admit("a", 2199)).toEqual({ _tag: "Reject", retryAfter: 1 })
    expect(breaker.complete("a", run(breaker, "a", 2200), "interrupted", 2300)).toBeDefined()
    expect(run(breaker, "a", 2300).probe).toBe(true)
  })

  it("drops the outcome of a call admitted under an older generation", () => {
    const breaker = new Breaker(settings)
    const old = run(breaker, "a", 0)
    trip(breaker, "a", 0)
    expect(breaker.complete("a", old, true, 0)).toBeUndefined()
    expect(breaker.stateOf("a")).toBe("open")
  })

  it("drops the outcome of a call whose scope was evicted while it ran, even once the scope is back", () => {
    const breaker = new Breaker({ ...settings, maxScopes: 2, minimumThroughput: 1 })
    const inFlight = run(breaker, "a", 0)
    run(breaker, "b", 0)
    run(breaker, "c", 0) // evicts "a" (and "b")
    expect(breaker.circuits.has("a")).toBe(false)
    run(breaker, "a", 0) // a new circuit for "a"
    expect(breaker.complete("a", inFlight, true, 0)).toBeUndefined()
    expect(breaker.stateOf("a")).toBe("closed")
  })

  it("evicts idle closed circuits first, down to 90% of maxScopes", () => {
    const breaker = new Breaker({ ...settings, maxScopes: 10 })
    trip(breaker, "open", 0)
    breaker.complete("busy", run(breaker, "busy", 0), false, 0)
    for (let i = 0; i < 8; i++) run(breaker, `idle${i}`, 0)
    expect(breaker.circuits.size).toBe(10)
    run(breaker, "new", 0)
    expect(breaker.circuits.size).toBe(10)
    expect(breaker.circuits.has("open")).toBe(true)
    expect(breaker.circuits.has("busy")).toBe(true)
    expect(breaker.circuits.has("idle0")).toBe(false)
  })

  it("never lets two probes through while half-open, and moves only along its transitions", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("admit" as const), gap: fc.integer({ min: 0, max: 700 }) }),
      fc.record({
        kind: fc.constant("complete" as const),
        which: fc.nat(),
        outcome: fc.constantFrom<boolean | "interrupted">(true, false, "interrupted"),
        gap: fc.integer({ min: 0, max: 700 })
      })
    )
    const allowed = new Set(["closed>open", "open>half-open", "half-open>open", "half-open>closed"])
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      fc.array(step, { maxLength: 200 }),
      (minimumThroughput, failureThreshold, steps) => {
        const breaker = new Breaker({ ...settings, minimumThroughput, failureThreshold })
        const pending: Array<RunTicket> = []
        let now = 0
        for (const s of steps) {
          now += s.gap
          const before = breaker.stateOf("a")
          let change: StateChange | undefined
          if (s.kind === "admit") {
            const ticket = breaker.admit("a", now)
            if (ticket._tag === "Run") {
              change = ticket.transition
              // a probe is admitted only from open, and never while another one is out
              if (ticket.probe && (before !== "open" || pending.some((t) => t.probe && isCurrent(breaker, t)))) {
                return false
              }
              pending.push(ticket)
            } else if (before === "closed" || !(ticket.retryAfter > 0)) {
              return false
            }
          } else if (pending.length > 0) {
            const [ticket] = pending.splice(s.which % pending.length, 1)
            change = breaker.complete("a", ticket!, s.outcome, now)
          }
          const after = breaker.stateOf("a")
          if (change === undefined ? after !== before : !allowed.has(`${change.from}>${change.to}`)) return false
          if (change !== undefined && (change.from !== before || change.to !== after)) return false
        }
        return true
      }
    ))
  })
})

const isCurrent = (breaker: Breaker, ticket: RunTicket): boolean =>
  breaker.circuits.get("a") === ticket.circuit && ticket.circuit.generation === ticket.generation

describe("openMessage", () => {
  it("names the scope and when to retry", () => {
    expect(openMessage("GET inventory", "1s 500ms")).toBe("circuit for GET inventory is open (retry after 1s 500ms)")
  })

  it("closedTicket: the shared ticket while closed, none otherwise; refusal: the break left while open", () => {
    const breaker = new Breaker(settings)
    expect(breaker.closedTicket("a")).toBeUndefined()
    expect(breaker.refusal("a", 0)).toBe(0)
    expect(breaker.closedTicket("a")).toBeUndefined()
    const ticket = run(breaker, "a", 0)
    expect(breaker.closedTicket("a")).toBe(ticket)
    expect(breaker.refusal("a", 0)).toBe(0)
    trip(breaker, "a", 0)
    expect(breaker.closedTicket("a")).toBeUndefined()
    expect(breaker.refusal("a", 400)).toBe(600)
    expect(breaker.refusal("a", 1000)).toBe(0)
    expect(breaker.refusal("a", 5000)).toBe(0)
    // a probe is in flight: half-open is for admit to refuse
    run(breaker, "a", 1000)
    expect(breaker.refusal("a", 1000)).toBe(0)
    expect(breaker.admit("a", 1000)._tag).toBe("Reject")
  })

  it("outcomeOf: a defect fails, an interruption counts as nothing, else the classifier (a throw fails)", () => {
    const never = () => false
    expect(outcomeOf(true, false, 1, never)).toBe(true)
    expect(outcomeOf(false, true, 1, () => true)).toBe("interrupted")
    expect(outcomeOf(false, false, 1, (x) => x === 1)).toBe(true)
    expect(outcomeOf(false, false, 2, (x) => x === 1)).toBe(false)
    expect(outcomeOf(false, false, 1, () => {
      throw new Error("classifier")
    })).toBe(true)
  })

  it("settingsOf: checks each option through the line's checks, with the defaults", () => {
    const asked: Array<string> = []
    const check: Checks<number> = {
      record: (_where, option) => asked.push(option),
      positiveMillis: (_where, option, value) => (asked.push(option), value),
      integer: (_where, option, value) => (asked.push(option), value),
      between: (_where, option, value) => (asked.push(option), value),
      callable: (_where, option) => asked.push(option)
    }
    const got = settingsOf("CircuitBreaker.make", {
      breakDuration: 1000,
      samplingDuration: 3000,
      minimumThroughput: 5,
      failureThreshold: 0.2,
      onStateChange: () => undefined
    }, check)
    expect(got).toEqual({
      breakMillis: 1000,
      bucketMillis: 300,
      windowsCount: 10,
      minimumThroughput: 5,
      failureThreshold: 0.2,
      maxScopes: 10_000,
      maxScopeLabels: 100
    })
    expect(asked).toEqual([
      "options",
      "breakDuration",
      "samplingDuration",
      "minimumThroughput",
      "failureThreshold",
      "windowsCount",
      "maxScopes",
      "maxScopeLabels",
      "onStateChange"
    ])
  })
})
