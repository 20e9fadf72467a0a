import * as kernel from "@aio-request/kernel/timerHeap"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Scheduler from "effect/Scheduler"

/**
 * One pending instant: the kernel heap's entry, carrying the callback that
 * records the event.
 *
 * @internal
 */
export type Entry = kernel.Entry<() => void>

/**
 * Every deadline (and hedge delay) cut on one `Clock` shares one timer: a
 * binary heap of instants served by at most one sleeping fiber, instead of a
 * timer fiber per call. A call that is cut pays a heap insertion and removal.
 * The fiber sleeps with `clock.sleep` (so `TestClock` drives it like any
 * other sleep), at most `maxSleepMillis` at a time, until the earliest entry.
 * It is restarted only when an entry earlier than its wake-up arrives (the
 * previous one is interrupted, which cancels its sleep), and it ends at the
 * first wake-up that finds the heap empty: nothing has to stop it when the
 * last entry is cancelled (which, under load, is after every call), and an
 * idle program holds a timer for at most `maxSleepMillis`.
 *
 * `fire` runs inside the timer's fiber: it must only record the event and
 * resume or interrupt whoever waits for it, never run effects.
 *
 * (`Deadline.unsafeOnExpiry` is its public face; `platform`'s server
 * middleware uses it.)
 *
 * @internal
 */
export class Timer {
  private readonly heap = new kernel.TimerHeap<() => void>()
  private sleeper: Fiber.Fiber<void> | undefined = undefined
  /** The instant the sleeper wakes at; `Infinity` when there is none. */
  private wakeAt = Infinity
  /** Bumped whenever a sleeper is replaced or ends: an outdated sleeper stops. */
  private generation = 0

  /** Timers of the same clock for fibers on other schedulers. */
  others: WeakMap<Scheduler.Scheduler, Timer> | undefined = undefined

  readonly clock: Clock.Clock
  readonly scheduler: Scheduler.Scheduler

  constructor(clock: Clock.Clock, scheduler: Scheduler.Scheduler) {
    this.clock = clock
    this.scheduler = scheduler
  }

  /** Calls `fire` once the clock reaches `at` (milliseconds), unless cancelled first. */
  schedule(at: number, fire: () => void): Entry {
    const entry = this.heap.insert(at, fire)
    if (at < this.wakeAt) this.start(at)
    return entry
  }

  /** Removes `entry` if it has not fired yet. */
  cancel(entry: Entry): void {
    this.heap.remove(entry)
    // the sleeper is not stopped when the heap empties: it ends at its next
    // wake-up (at most `maxSleepMillis` away) if nothing arrived by then, so a
    // busy caller does not pay a sleeper stopped and started per call
  }

  /** How many entries are pending (for tests). */
  get size(): number {
    return this.heap.size
  }

  private stop(): void {
    const sleeper = this.sleeper
    this.generation++
    this.sleeper = undefined
    this.wakeAt = Infinity
    if (sleeper !== undefined) sleeper.interruptUnsafe()
  }

  private start(at: number): void {
    this.stop()
    this.wakeAt = kernel.wakeAt(at, this.clock.currentTimeMillisUnsafe())
    // not started in this call (`runFork` evaluates at once, so the fiber
    // yields first): an entry already due would fire inside `schedule`,
    // before its caller holds the entry (and could match the event to it)
    this.sleeper = Effect.runFork(Effect.andThen(Effect.yieldNow, this.loop(this.generation, -Infinity)), {
      scheduler: this.scheduler
    })
  }

  /**
   * `reached` is the instant the last sleep was for: once it is over, that
   * instant counts as reached even if `now + (at - now)` rounds below `at`.
   */
  private loop(generation: number, reached: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (generation !== this.generation) return Effect.void
      const now = Math.max(this.clock.currentTimeMillisUnsafe(), reached)
      const pending = this.heap
      for (let entry = pending.popDue(now); entry !== undefined; entry = pending.popDue(now)) entry.value()
      // a `fire` scheduled an entry earlier than this sleeper's wake-up: the
      // sleeper started for it serves the heap from now on
      if (generation !== this.generation) return Effect.void
      const earliest = pending.peek()
      if (earliest === undefined) {
        // the entry it was started for was cancelled before this fiber first
        // ran (a call that ends within the tick it began in, as most server
        // requests do): it still sleeps to its planned wake-up, so that the
        // next entries do not each start (and fork) a sleeper of their own
        if (reached === -Infinity && this.wakeAt > now) {
          return Effect.andThen(
            this.clock.sleep(Duration.millis(this.wakeAt - now)),
            this.loop(generation, this.wakeAt)
          )
        }
        this.sleeper = undefined
        this.wakeAt = Infinity
        this.generation++
        return Effect.void
      }
      // never more than `maxSleepMillis` at a time, so an emptied heap is
      // noticed (and the fiber ends) within that
      const wakeAt = kernel.wakeAt(earliest.at, now)
      this.wakeAt = wakeAt
      return Effect.andThen(this.clock.sleep(Duration.millis(wakeAt - now)), this.loop(generation, wakeAt))
    })
  }
}

/**
 * The timer of each `Clock` (and scheduler). Keyed by the clock itself, so
 * what shares a timer is what shares a time source: every runtime on Effect's
 * live clock shares one (its `fire` callbacks only resume fibers, each on its
 * own scheduler), and each `TestClock` has its own. A fiber on another
 * scheduler (`Effect.withScheduler`) gets a timer of its own, so the sleeping
 * fiber never runs on a scheduler its users did not choose. Nothing else is
 * kept at module level.
 */
const timers = new WeakMap<Clock.Clock, Timer>()

/** @internal */
export const timerFor = (clock: Clock.Clock, fiber: Fiber.Fiber<unknown, unknown>): Timer => {
  const scheduler = fiber.getRef(Scheduler.Scheduler)
  let timer = timers.get(clock)
  if (timer === undefined) {
    timer = new Timer(clock, scheduler)
    timers.set(clock, timer)
    return timer
  }
  if (timer.scheduler === scheduler) return timer
  timer.others ??= new WeakMap()
  let other = timer.others.get(scheduler)
  if (other === undefined) {
    other = new Timer(clock, scheduler)
    timer.others.set(scheduler, other)
  }
  return other
}
