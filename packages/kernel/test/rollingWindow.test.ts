import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { RollingWindow } from "../src/rollingWindow.js"

describe("RollingWindow", () => {
  it("counts what was added in the current bucket", () => {
    const window = new RollingWindow(10, 100)
    window.add(5, 0)
    window.add(50, 0)
    window.add(99, 1)
    expect(window.sum(99, 0)).toBe(2)
    expect(window.sum(99, 1)).toBe(1)
    expect(window.isEmpty(99)).toBe(false)
  })

  it("forgets a bucket once it slides out of the window", () => {
    const window = new RollingWindow(3, 100)
    window.add(0, 1)
    expect(window.sum(299, 1)).toBe(1)
    expect(window.sum(300, 1)).toBe(0)
    expect(window.isEmpty(300)).toBe(true)
  })

  it("clear forgets everything", () => {
    const window = new RollingWindow(4, 10)
    window.add(1, 0)
    window.add(2, 1)
    window.clear()
    expect(window.isEmpty(2)).toBe(true)
  })

  it("its counts equal the events within the window (whole buckets)", () => {
    const event = fc.record({ gap: fc.integer({ min: 0, max: 400 }), counter: fc.constantFrom(0 as const, 1 as const) })
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 200 }),
      fc.array(event, { maxLength: 200 }),
      fc.integer({ min: 0, max: 3000 }),
      (buckets, bucketMillis, events, lookAhead) => {
        const window = new RollingWindow(buckets, bucketMillis)
        const added: Array<{ at: number; counter: 0 | 1 }> = []
        let now = 0
        for (const { counter, gap } of events) {
          now += gap
          window.add(now, counter)
          added.push({ at: now, counter })
        }
        const at = now + lookAhead
        const oldest = Math.floor(at / bucketMillis) - buckets
        for (const counter of [0, 1] as const) {
          const expected = added.filter((e) => e.counter === counter && Math.floor(e.at / bucketMillis) > oldest).length
          if (window.sum(at, counter) !== expected) return false
        }
        return window.isEmpty(at) === !added.some((e) => Math.floor(e.at / bucketMillis) > oldest)
      }
    ))
  })
  it("its counts equal the events within the window since the last clear", () => {
    const event = fc.oneof(
      fc.record({ gap: fc.integer({ min: 0, max: 150 }), counter: fc.constantFrom(0 as const, 1 as const) }),
      fc.constant("clear" as const)
    )
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 50 }),
      fc.array(event, { maxLength: 100 }),
      (buckets, bucketMillis, events) => {
        const window = new RollingWindow(buckets, bucketMillis)
        let added: Array<{ at: number; counter: 0 | 1 }> = []
        let now = 0
        for (const e of events) {
          if (e === "clear") {
            window.clear()
            added = []
            continue
          }
          now += e.gap
          window.add(now, e.counter)
          added.push({ at: now, counter: e.counter })
          const oldest = Math.floor(now / bucketMillis) - buckets
          for (const counter of [0, 1] as const) {
            const expected = added.filter((a) => a.counter === counter && Math.floor(a.at / bucketMillis) > oldest)
            if (window.sum(now, counter) !== expected.length) return false
          }
        }
        return true
      }
    ))
  })
})
