import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as TimerHeap from "../src/timerHeap.js"

/** Pops everything, in order. */
const drain = <T>(heap: TimerHeap.TimerHeap<T>): Array<TimerHeap.Entry<T>> => {
  const out: Array<TimerHeap.Entry<T>> = []
  for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) out.push(entry)
  return out
}

/** An operation of a random sequence: insert at an instant, or remove the k-th entry still held. */
type Op = { readonly _tag: "insert"; readonly at: number } | { readonly _tag: "remove"; readonly k: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("insert" as const), at: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ _tag: fc.constant("remove" as const), k: fc.nat() })
)

describe("timerHeap", () => {
  it("pops entries by instant, equal instants in insertion order", () => {
    const heap = new TimerHeap.TimerHeap<string>()
    heap.insert(3000, "c")
    heap.insert(100, "a")
    heap.insert(2500, "b")
    heap.insert(2500, "d")
    expect(heap.size).toBe(4)
    expect(heap.peek()!.value).toBe("a")
    expect(drain(heap).map((entry) => entry.value)).toEqual(["a", "b", "d", "c"])
    expect(heap.size).toBe(0)
    expect(heap.pop()).toBeUndefined()
    expect(heap.peek()).toBeUndefined()
  })

  it("removes a pending entry once; a popped or removed one is left alone", () => {
    const heap = new TimerHeap.TimerHeap<string>()
    const a = heap.insert(100, "a")
    const b = heap.insert(200, "b")
    expect(heap.remove(a)).toBe(true)
    expect(a.index).toBe(-1)
    expect(heap.remove(a)).toBe(false)
    expect(heap.pop()).toBe(b)
    expect(b.index).toBe(-1)
    expect(heap.remove(b)).toBe(false)
    expect(heap.size).toBe(0)
  })

  it("pops only what is due", () => {
    const heap = new TimerHeap.TimerHeap<string>()
    heap.insert(100, "a")
    heap.insert(200, "b")
    expect(heap.popDue(99)).toBeUndefined()
    expect(heap.popDue(100)!.value).toBe("a")
    expect(heap.popDue(150)).toBeUndefined()
    expect(heap.popDue(Infinity)!.value).toBe("b")
    expect(heap.popDue(Infinity)).toBeUndefined()
  })

  it("wakes at the earliest entry, never more than maxSleepMillis ahead", () => {
    expect(TimerHeap.wakeAt(150, 100)).toBe(150)
    expect(TimerHeap.wakeAt(Infinity, 100)).toBe(100 + TimerHeap.maxSleepMillis)
    fc.assert(fc.property(fc.integer(), fc.integer(), (earliest, now) => {
      const at = TimerHeap.wakeAt(earliest, now)
      return at <= earliest && at <= now + TimerHeap.maxSleepMillis &&
        (at === earliest || at === now + TimerHeap.maxSleepMillis)
    }))
  })

  it("keeps its order under any sequence of inserts and removals", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const heap = new TimerHeap.TimerHeap<number>()
      /** The model: entries still pending, in insertion order. */
      const held: Array<TimerHeap.Entry<number>> = []
      let n = 0
      for (const o of ops) {
        if (o._tag === "insert") {
          held.push(heap.insert(o.at, n++))
        } else if (held.length > 0) {
          const [entry] = held.splice(o.k % held.length, 1)
          expect(heap.remove(entry!)).toBe(true)
          expect(entry!.index).toBe(-1)
        }
        expect(heap.size).toBe(held.length)
        // every pending entry knows its place; the top is the earliest
        for (const entry of held) expect(entry.index).toBeGreaterThanOrEqual(0)
        if (held.length > 0) expect(heap.peek()!.at).toBe(Math.min(...held.map((entry) => entry.at)))
      }
      // ascending instants, ties in insertion order: a stable sort of the model
      const expected = [...held].sort((a, b) => a.at - b.at).map((entry) => entry.value)
      expect(drain(heap).map((entry) => entry.value)).toEqual(expected)
    }))
  })

  it("yields ascending instants, whatever is inserted while popping", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 100 }),
      fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 100 }),
      (first, later) => {
        const heap = new TimerHeap.TimerHeap<number>()
        for (const at of first) heap.insert(at, at)
        let last = -Infinity
        let i = 0
        for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) {
          expect(entry.at).toBeGreaterThanOrEqual(last)
          last = entry.at
          // an entry inserted later that is not earlier than the last popped keeps the order
          const at = later[i++]
          if (at !== undefined && at >= last) heap.insert(at, at)
        }
        expect(heap.size).toBe(0)
      }
    ))
  })
})
