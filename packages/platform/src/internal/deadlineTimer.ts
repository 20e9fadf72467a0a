import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Scheduler from "effect/Scheduler"

/**
 * One pending instant; `index` is its place in the heap, -1 once it fired or
 * was cancelled.
 *
 * @internal
 */
export interface Entry {
  readonly at: number
  readonly seq: number
  index: number
  readonly fire: () => void
}

/** The longest single sleep of the timer's fiber. */
const maxSleepMillis = 1000

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq)

/**
 * The deadlines of the requests in flight under one middleware (on one
 * `Clock`), served by at most one sleeping fiber instead of a timer fiber per
 * request: a request pays a heap insertion and removal. The fiber sleeps with
 * `clock.sleep` (so `TestClock` drives it) at most a second at a time, is
 * restarted only when an earlier instant arrives, and ends at the first
 * wake-up that finds the heap empty: an idle server holds a timer for at most
 * a second.
 *
 * `fire` runs in the timer's fiber: it must only record the event and resume
 * or interrupt fibers, never run effects.
 *
 * (Core's branch `coreperf` builds the same shared timer for `Deadline`; when
 * core exposes it, this one goes.)
 *
 * @internal
 */
export class DeadlineTimer {
  private readonly heap: Array<Entry> = []
  private seq = 0
  private sleeper: Fiber.RuntimeFiber<void> | undefined = undefined
  private wakeAt = Infinity
  private generation = 0

  constructor(private readonly clock: Clock.Clock, private readonly scheduler: Scheduler.Scheduler) {}

  /** Calls `fire` once the clock reaches `at` (epoch milliseconds), unless cancelled first. */
  schedule(at: number, fire: () => void): Entry {
    const entry: Entry = { at, seq: this.seq++, index: this.heap.length, fire }
    this.heap.push(entry)
    this.up(entry.index)
    if (at < this.wakeAt) this.start(at)
    return entry
  }

  /** Removes `entry` if it has not fired yet. */
  cancel(entry: Entry): void {
    const index = entry.index
    if (index < 0) return
    entry.index = -1
    const last = this.heap.pop()!
    if (index < this.heap.length) {
      this.heap[index] = last
      last.index = index
      this.down(index)
      this.up(last.index)
    }
  }

  /** How many entries are pending (for tests). */
  get size(): number {
    return this.heap.length
  }

  private stop(): void {
    const sleeper = this.sleeper
    this.generation++
    this.sleeper = undefined
    this.wakeAt = Infinity
    if (sleeper !== undefined) sleeper.unsafeInterruptAsFork(FiberId.none)
  }

  private start(at: number): void {
    this.stop()
    this.wakeAt = Math.min(at, this.clock.unsafeCurrentTimeMillis() + maxSleepMillis)
    this.sleeper = Effect.runFork(this.loop(this.generation), { scheduler: this.scheduler })
  }

  private loop(generation: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (generation !== this.generation) return Effect.void
      const now = this.clock.unsafeCurrentTimeMillis()
      const heap = this.heap
      while (heap.length > 0 && heap[0]!.at <= now) this.pop().fire()
      if (generation !== this.generation) return Effect.void // a fire scheduled an earlier entry
      if (heap.length === 0) {
        this.sleeper = undefined
        this.wakeAt = Infinity
        this.generation++
        return Effect.void
      }
      // never more than `maxSleepMillis` at a time: an emptied heap is noticed
      // at the next wake-up and the fiber ends there, so nothing has to stop
      // it when the last request leaves (which, under load, is after every
      // request) and an idle server holds no timer for long
      this.wakeAt = Math.min(heap[0]!.at, now + maxSleepMillis)
      return Effect.zipRight(this.clock.sleep(Duration.millis(Math.max(0, this.wakeAt - now))), this.loop(generation))
    })
  }

  private pop(): Entry {
    const heap = this.heap
    const top = heap[0]!
    top.index = -1
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      last.index = 0
      this.down(0)
    }
    return top
  }

  private up(index: number): void {
    const heap = this.heap
    const entry = heap[index]!
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex]!
      if (!before(entry, parent)) break
      heap[index] = parent
      parent.index = index
      index = parentIndex
    }
    heap[index] = entry
    entry.index = index
  }

  private down(index: number): void {
    const heap = this.heap
    const length = heap.length
    const entry = heap[index]!
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && before(heap[right]!, heap[left]!) ? right : left
      if (!before(heap[child]!, entry)) break
      heap[index] = heap[child]!
      heap[index]!.index = index
      index = child
    }
    heap[index] = entry
    entry.index = index
  }
}
