/**
 * The decisions of a shared timer (the glue's `Timer`). Every deadline (and
 * hedge delay) cut on one clock shares one timer: a heap of instants served
 * by at most one sleeping fiber, instead of a timer fiber per call (a call
 * that is cut pays a heap insertion and removal). The sleeper sleeps at most
 * `maxSleepMillis` at a time, until the earliest entry; it is replaced only
 * when an entry earlier than its wake-up arrives, and it ends at the first
 * wake-up that finds the heap empty: nothing has to stop it when the last
 * entry is cancelled (under load, after every call), and an idle program
 * holds a timer for at most `maxSleepMillis`. The glue forks, sleeps and
 * interrupts the sleeping fiber. This decides when: whether a new entry needs a new sleeper,
 * what a sleeper does when it wakes (fire what is due, sleep again until
 * when, or end), and which sleeper is current (`generation`: a sleeper that
 * was replaced, or ended, stops at its next wake-up). No clock: the glue
 * passes `now` in milliseconds.
 */
import { type Entry, TimerHeap, wakeAt } from "./timerHeap.js"

export class TimerPlan<T> {
  readonly heap = new TimerHeap<T>()
  /** The instant the current sleeper wakes at; `Infinity` when there is none. */
  wakeAt = Infinity
  /** Bumped whenever a sleeper is replaced or ends: an outdated sleeper stops. */
  generation = 0

  /** How many entries are pending. */
  get size(): number {
    return this.heap.size
  }

  /** Adds an entry at `at` carrying `value`; then ask `needsSleeper(at)`. */
  insert(at: number, value: T): Entry<T> {
    return this.heap.insert(at, value)
  }

  /** Whether an entry at `at` comes before the current sleeper's wake-up (or there is none). */
  needsSleeper(at: number): boolean {
    return at < this.wakeAt
  }

  /**
   * A new sleeper replaces the current one (which the glue interrupts), to
   * wake for `at` as read at `now`: returns its generation.
   */
  restart(at: number, now: number): number {
    this.generation++
    this.wakeAt = wakeAt(at, now)
    return this.generation
  }

  /** Removes `entry` if it has not fired yet (the sleeper is left to end at its next wake-up). */
  remove(entry: Entry<T>): void {
    this.heap.remove(entry)
  }

  /** Whether the sleeper of `generation` is still the current one. */
  isCurrent(generation: number): boolean {
    return generation === this.generation
  }

  /**
   * The sleeper of `generation` woke at `now` (`reached`: the instant its
   * last sleep was for, which counts as reached even if the clock reads a
   * little less; `-Infinity` on its first run). Calls `fire` with each entry
   * due, then returns the instant to sleep until, or `undefined` when it
   * stops: it was replaced (before or by a `fire`), or there is nothing left
   * to wait for. A sleeper whose entry was cancelled before it first ran (a
   * call that ended within the tick it began in) still sleeps to its planned
   * wake-up, so that the next entries do not each start a sleeper of their
   * own; it never sleeps more than `maxSleepMillis` at a time, so an emptied
   * heap is noticed (and the sleeper ends) within that.
   */
  wake(generation: number, now: number, reached: number, fire: (value: T) => void): number | undefined {
    if (generation !== this.generation) return undefined
    const at = Math.max(now, reached)
    const heap = this.heap
    for (let entry = heap.popDue(at); entry !== undefined; entry = heap.popDue(at)) fire(entry.value)
    if (generation !== this.generation) return undefined
    const earliest = heap.peek()
    if (earliest === undefined) {
      if (reached === -Infinity && this.wakeAt > at) return this.wakeAt
      this.wakeAt = Infinity
      this.generation++
      return undefined
    }
    this.wakeAt = wakeAt(earliest.at, at)
    return this.wakeAt
  }
}
