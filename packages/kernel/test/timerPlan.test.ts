import { describe, expect, it } from "vitest"
import { maxSleepMillis } from "../src/timerHeap.js"
import { TimerPlan } from "../src/timerPlan.js"

describe("TimerPlan", () => {
  it("an entry before the sleeper's wake-up needs a new sleeper; a later one does not", () => {
    const plan = new TimerPlan<string>()
    plan.insert(500, "a")
    expect(plan.needsSleeper(500)).toBe(true)
    const first = plan.restart(500, 0)
    expect(plan.wakeAt).toBe(500)
    plan.insert(800, "b")
    expect(plan.needsSleeper(800)).toBe(false)
    expect(plan.needsSleeper(100)).toBe(true)
    const second = plan.restart(100, 0)
    expect(plan.isCurrent(first)).toBe(false)
    expect(plan.isCurrent(second)).toBe(true)
    // the replaced sleeper stops at its wake-up, firing nothing
    const fired: Array<string> = []
    expect(plan.wake(first, 500, 500, (v) => fired.push(v))).toBeUndefined()
    expect(fired).toEqual([])
  })

  it("a wake-up fires what is due, then sleeps until the earliest entry, never more than maxSleepMillis", () => {
    const plan = new TimerPlan<string>()
    plan.insert(100, "a")
    plan.insert(100, "b")
    plan.insert(5000, "c")
    const generation = plan.restart(100, 0)
    const fired: Array<string> = []
    expect(plan.wake(generation, 0, -Infinity, (v) => fired.push(v))).toBe(100)
    // the clock reads a little less than the instant slept for: it counts as reached
    expect(plan.wake(generation, 99, 100, (v) => fired.push(v))).toBe(100 + maxSleepMillis)
    expect(fired).toEqual(["a", "b"])
    expect(plan.size).toBe(1)
  })

  it("an emptied heap: the first run keeps its planned wake-up, a later wake-up ends the sleeper", () => {
    const plan = new TimerPlan<string>()
    const entry = plan.insert(300, "a")
    const generation = plan.restart(300, 0)
    plan.remove(entry)
    expect(plan.wake(generation, 0, -Infinity, () => undefined)).toBe(300)
    expect(plan.wake(generation, 300, 300, () => undefined)).toBeUndefined()
    expect(plan.wakeAt).toBe(Infinity)
    expect(plan.isCurrent(generation)).toBe(false)
    expect(plan.needsSleeper(10_000)).toBe(true)
  })

  it("a fire that starts a new sleeper hands the heap over to it", () => {
    const plan = new TimerPlan<() => void>()
    let next = -1
    plan.insert(100, () => {
      plan.insert(150, () => undefined)
      next = plan.restart(150, 100)
    })
    plan.insert(900, () => undefined)
    const generation = plan.restart(100, 0)
    expect(plan.wake(generation, 100, 100, (fire) => fire())).toBeUndefined()
    expect(plan.isCurrent(next)).toBe(true)
    expect(plan.wake(next, 100, -Infinity, (fire) => fire())).toBe(150)
  })
})
