import { remaining } from "@aio-request/kernel/deadline"
import type * as kernelAlarms from "@aio-request/kernel/strategy/alarms"
import * as kernel from "@aio-request/kernel/strategy/run"
import type * as Clock from "effect/Clock"
import type * as Exit from "effect/Exit"
import type * as Strategy from "../../Strategy.js"
import type * as deadline_ from "../deadline.js"
import { currentTimeMillis, observe, type RuntimeFiber } from "../line.js"
import type { Entry } from "../timer.js"

/**
 * One attempt's outcome and the classifier's verdict on it. `expired` marks
 * the run's own end at its deadline (not an attempt's outcome).
 *
 * @internal
 */
export interface Outcome<A, E> {
  readonly exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>
  readonly verdict: Strategy.Verdict
  readonly expired?: true
  /**
   * Its pushback (`RunOptions.pushback`): the Clock millis before which no
   * attempt is sent, or `"stop"` (also for a wait that reaches the deadline).
   */
  readonly pushback?: number | "stop"
}

/**
 * What a run's coordinator waits for. Attempts run in fibers of their own;
 * their exits (fiber observers) and the timer's entries (attempt deadlines,
 * hedge delays, waits, the run's deadline) arrive here, and the caller's fiber
 * takes them one at a time: no Queue, Scope or launcher fiber.
 *
 * @internal
 */
export type Event<A, E> =
  | { readonly _tag: "Exit"; readonly attempt: Attempt<A, E>; readonly exit: Exit.Exit<A, E> }
  | { readonly _tag: "Cut"; readonly attempt: Attempt<A, E> }
  | { readonly _tag: "Timer"; readonly alarm: Alarm }
  | { readonly _tag: "Expired" }

/**
 * An instant a run waits for (an attempt's cut, a hedge delay, a wait): the
 * kernel's alarm (@aio-request/kernel/strategy/alarms), which enters the
 * clock's shared timer only once the run first waits.
 *
 * @internal
 */
export type Alarm = kernelAlarms.Alarm<Entry>

/**
 * Where an attempt sends its events: the coordinator of its run.
 *
 * @internal
 */
export interface Sink<A, E> {
  readonly clock: Clock.Clock
  /** Calls `fire` once the clock reaches `at` (Clock millis), unless cancelled first. */
  schedule(at: number, fire: () => void): Alarm
  cancel(alarm: Alarm): void
  push(event: Event<A, E>): void
}

/**
 * An attempt in flight. The coordinator owns the attempts; each attempt owns
 * its fiber, its cut (the timer entry at its own attempt deadline, when that
 * is earlier than the run's) and its fiber observer, and retires them itself.
 *
 * @internal
 */
export class Attempt<A, E> {
  readonly number: number
  readonly kind: Strategy.AttemptKind
  /** When it started (Clock nanos), read only when the run reports durations. */
  readonly startNanos: bigint
  readonly fiber: RuntimeFiber<A, E>
  /** Its attempt deadline, in Clock millis, and (with a cut of its own) what was left of it at the start. */
  readonly deadline: number
  readonly budget: number | undefined
  /** Its outcome was handled, or it was abandoned: its events are ignored. */
  done = false
  /** The cut at its own attempt deadline, when that is earlier than the run's. */
  private readonly alarm: Alarm | undefined
  private readonly sink: Sink<A, E>
  private readonly removeObserver: () => void

  /**
   * Starts observing `fiber` (attempt `number`, reported as `kind`), and cuts
   * it at `deadline` (Clock millis) if that comes before `runDeadline`.
   */
  constructor(
    sink: Sink<A, E>,
    number: number,
    kind: Strategy.AttemptKind,
    fiber: RuntimeFiber<A, E>,
    deadline: number,
    runDeadline: number,
    nowNanos: bigint
  ) {
    this.sink = sink
    this.number = number
    this.kind = kind
    this.startNanos = nowNanos
    this.fiber = fiber
    this.deadline = deadline
    if (kernel.hasOwnCut(deadline, runDeadline)) {
      this.budget = remaining(deadline, currentTimeMillis(sink.clock))
      this.alarm = sink.schedule(deadline, () => {
        if (!this.done) sink.push({ _tag: "Cut", attempt: this })
      })
    } else {
      this.budget = undefined
      this.alarm = undefined
    }
    // last: a fiber that already ended calls its observer at once
    this.removeObserver = observe(fiber, (exit) => {
      if (!this.done) sink.push({ _tag: "Exit", attempt: this, exit })
    })
  }

  /** Marks it handled: no more events from its fiber or its cut. */
  retire(): void {
    this.done = true
    this.removeObserver()
    if (this.alarm !== undefined) this.sink.cancel(this.alarm)
  }
}
