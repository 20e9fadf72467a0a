import { Alarms } from "@aio-request/kernel/strategy/alarms"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { callback, type RuntimeFiber } from "../line.js"
import { type Entry, type Timer, timerFor } from "../timer.js"
import type { Event, Sink } from "./attempt.js"

const EXPIRED = { _tag: "Expired" } as const

/**
 * What a run's coordinator waits for, and how: the queue of events its
 * attempts and alarms send, the caller's wait for the next one, and the
 * alarms themselves (the kernel's `Alarms`: the run's deadline and the rest
 * enter the clock's shared timer only once the run first waits). Nothing can
 * fire while the caller runs, so a run whose attempts end before it ever
 * waits touches no timer at all.
 *
 * @internal
 */
export abstract class Events<A, E> extends Alarms<Entry> implements Sink<A, E> {
  private readonly events: Array<Event<A, E>> = []
  private waiting: ((event: Effect.Effect<Event<A, E>>) => void) | undefined = undefined
  /** The run's deadline in the timer, once the run waits. */
  private expiredEntry: Entry | undefined = undefined
  private timer_: Timer | undefined = undefined

  /** The run's deadline (Clock millis). */
  abstract readonly deadline: number
  abstract readonly clock: Clock.Clock
  /** The caller's fiber, whose clock and scheduler pick the timer. */
  protected abstract readonly caller: RuntimeFiber<unknown, unknown>
  abstract readonly restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>

  /** The caller went away while waiting: interrupt everything in flight, wait for it. */
  abstract abandon(): Effect.Effect<void>

  /** The shared timer of the caller's clock (and scheduler). */
  get timer(): Timer {
    return this.timer_ ??= timerFor(this.clock, this.caller)
  }

  /** The run waits for the first time: its deadline, then its alarms, in the order they were set, enter the timer. */
  protected override arm(): void {
    if (this.deadline !== Infinity) this.expiredEntry = this.timer.schedule(this.deadline, () => this.push(EXPIRED))
    super.arm()
  }

  /** Takes the run's deadline out of the timer (the run is over). */
  protected disarm(): void {
    if (this.expiredEntry !== undefined) this.timer.cancel(this.expiredEntry)
  }

  push(event: Event<A, E>): void {
    const waiting = this.waiting
    if (waiting !== undefined) {
      this.waiting = undefined
      waiting(Effect.succeed(event))
    } else {
      this.events.push(event)
    }
  }

  /** Whether an event is queued (`next` would not wait). */
  hasEvents(): boolean {
    return this.events.length > 0
  }

  /**
   * Calls `f` with the next event, at once if one is queued. Waiting is the
   * only point where the caller's interruption lands.
   */
  next<X, E2, R2>(f: (event: Event<A, E>) => Effect.Effect<X, E2, R2>): Effect.Effect<X, E2, R2> {
    if (this.events.length > 0) return f(this.events.shift()!)
    if (!this.isArmed) this.arm()
    return Effect.flatMap(
      this.restore(callback<Event<A, E>>((resume) => {
        this.waiting = resume
        return Effect.suspend(() => {
          this.waiting = undefined
          return this.abandon()
        })
      })),
      f
    )
  }
}
