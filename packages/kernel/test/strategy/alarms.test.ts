import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Alarms from "../../src/strategy/alarms.js"

/** A timer that records what enters and leaves it. */
class FakeTimer implements Alarms.Timer<number> {
  readonly entries = new Map<number, { readonly at: number; readonly fire: () => void }>()
  readonly order: Array<number> = []
  private next = 0
  schedule(at: number, fire: () => void): number {
    const entry = this.next++
    this.entries.set(entry, { at, fire })
    this.order.push(at)
    return entry
  }
  cancel(entry: number): void {
    this.entries.delete(entry)
  }
}

class Run extends Alarms.Alarms<number> {
  reads = 0
  readonly fake = new FakeTimer()
  get timer(): Alarms.Timer<number> {
    this.reads++
    return this.fake
  }
  wait(): void {
    if (!this.isArmed) this.arm()
  }
}

type Op = { readonly _tag: "schedule"; readonly at: number } | { readonly _tag: "cancel"; readonly index: number } | {
  readonly _tag: "wait"
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("schedule" as const), at: fc.nat(1000) }),
  fc.record({ _tag: fc.constant("cancel" as const), index: fc.nat(20) }),
  fc.constant({ _tag: "wait" as const })
)

describe("strategy/alarms", () => {
  it("touches no timer until the run waits", () => {
    const run = new Run()
    const alarm = run.schedule(10, () => {})
    run.schedule(20, () => {})
    run.cancel(alarm)
    expect(run.reads).toBe(0)
    run.wait()
    expect(run.fake.order).toEqual([20])
  })

  it("enters the alarms set before the wait in their order, and later ones at once", () => {
    const run = new Run()
    run.schedule(30, () => {})
    run.schedule(10, () => {})
    run.wait()
    expect(run.fake.order).toEqual([30, 10])
    const late = run.schedule(5, () => {})
    expect(run.fake.order).toEqual([30, 10, 5])
    run.cancel(late)
    expect(run.fake.entries.size).toBe(2)
  })

  it("keeps in the timer exactly the alarms not cancelled once armed, whatever the order of calls", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const run = new Run()
      const alarms: Array<Alarms.Alarm<number>> = []
      let waited = false
      for (const o of ops) {
        if (o._tag === "schedule") alarms.push(run.schedule(o.at, () => {}))
        else if (o._tag === "cancel") {
          const alarm = alarms[o.index]
          if (alarm !== undefined) run.cancel(alarm)
        } else {
          run.wait()
          waited = true
        }
      }
      const live = alarms.filter((alarm) => !alarm.cancelled)
      if (!waited) return run.fake.entries.size === 0 && run.reads === 0
      return run.fake.entries.size === live.length &&
        live.every((alarm) => alarm.entry !== undefined && run.fake.entries.get(alarm.entry)?.at === alarm.at)
    }))
  })
})
