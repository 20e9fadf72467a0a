import type * as kernel from "@aio-request/kernel/timerHeap"
import { TimerPlan } from "@aio-request/kernel/timerPlan"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scheduler from "effect/Scheduler"
import { currentTimeMillis, interruptUnsafe, runForkLater, type RuntimeFiber, schedulerOf } from "./line.js"

/**
 * One pending instant: the kernel heap's entry, carrying the callback that
 * records the event.
 *
 * @internal
 */
export type Entry = kernel.Entry<() => void>

/**
 * The shared timer of one `Clock`: the glue of the kernel's `TimerPlan`
 * (@aio-request/kernel/timerPlan, which says when its one sleeping fiber
 * starts, wakes and ends). The fiber sleeps with `clock.sleep`, so
 * `TestClock` drives it like any other sleep. `fire` runs inside that fiber:
 * it must only record the event and resume or interrupt whoever waits for
 * it, never run effects. `Deadline.unsafeOnExpiry` is its public face.
 *
 * @internal
 */
export class Timer {
  /** The heap, and when the sleeper wakes and which one is current: the kernel's decisions. */
  private readonly plan = new TimerPlan<() => void>()
  private sleeper: RuntimeFiber<void, never> | undefined = undefined
  /** The generation `sleeper` was started for. */
  private sleeperGeneration = -1

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
    const entry = this.plan.insert(at, fire)
    if (this.plan.needsSleeper(at)) this.start(this.plan.restart(at, currentTimeMillis(this.clock)))
    return entry
  }

  /** Removes `entry` if it has not fired yet. */
  cancel(entry: Entry): void {
    this.plan.remove(entry)
    // the sleeper is not stopped when the heap empties: it ends at its next
    // wake-up (at most `maxSleepMillis` away) if nothing arrived by then, so a
    // busy caller does not pay a sleeper stopped and started per call
  }

  /** How many entries are pending (for tests). */
  get size(): number {
    return this.plan.size
  }

  /** Replaces the sleeper with one of `generation`. */
  private start(generation: number): void {
    const sleeper = this.sleeper
    if (sleeper !== undefined) interruptUnsafe(sleeper)
    this.sleeperGeneration = generation
    // not started in this call: an entry already due would fire inside `schedule`,
    // before its caller holds the entry (and could match the event to it)
    this.sleeper = runForkLater(this.loop(generation, -Infinity), this.scheduler)
  }

  /**
   * `reached` is the instant the last sleep was for: once it is over, that
   * instant counts as reached even if `now + (at - now)` rounds below `at`.
   */
  private loop(generation: number, reached: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      const now = Math.max(currentTimeMillis(this.clock), reached)
      const until = this.plan.wake(generation, now, reached, (fire) => fire())
      if (until === undefined) {
        if (this.sleeperGeneration === generation) this.sleeper = undefined
        return Effect.void
      }
      return Effect.andThen(this.clock.sleep(Duration.millis(until - now)), this.loop(generation, until))
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
export const timerFor = (clock: Clock.Clock, fiber: RuntimeFiber<unknown, unknown>): Timer => {
  const scheduler = schedulerOf(fiber)
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
