import { remaining } from "@aio-request/kernel/deadline"
import * as kernel from "@aio-request/kernel/strategy/run"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Strategy from "../../Strategy.js"
import type * as deadline_ from "../deadline.js"
import type { Entry, Timer } from "../timer.js"

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
  | { readonly _tag: "Timer"; readonly entry: Entry }
  | { readonly _tag: "Expired" }

/**
 * Where an attempt sends its events: the coordinator of its run.
 *
 * @internal
 */
export interface Sink<A, E> {
  readonly timer: Timer
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
  readonly startNanos: bigint
  readonly fiber: Fiber.RuntimeFiber<A, E>
  /** Its attempt deadline, in Clock millis, and what was left of it at the start. */
  readonly deadline: number
  readonly budget: number
  /** Its outcome was handled, or it was abandoned: its events are ignored. */
  done = false
  /** The cut at its own attempt deadline, when that is earlier than the run's. */
  private readonly entry: Entry | undefined
  private readonly sink: Sink<A, E>
  private readonly observer: (exit: Exit.Exit<A, E>) => void

  /**
   * Starts observing `fiber` (attempt `number`, reported as `kind`), and cuts
   * it at `deadline` (Clock millis) if that comes before `runDeadline`.
   */
  constructor(
    sink: Sink<A, E>,
    number: number,
    kind: Strategy.AttemptKind,
    fiber: Fiber.RuntimeFiber<A, E>,
    deadline: number,
    runDeadline: number,
    nowNanos: bigint,
    nowMillis: number
  ) {
    this.sink = sink
    this.number = number
    this.kind = kind
    this.startNanos = nowNanos
    this.fiber = fiber
    this.deadline = deadline
    this.budget = remaining(deadline, nowMillis)
    this.observer = (exit) => {
      if (!this.done) sink.push({ _tag: "Exit", attempt: this, exit })
    }
    this.entry = kernel.hasOwnCut(deadline, runDeadline)
      ? sink.timer.schedule(deadline, () => {
        if (!this.done) sink.push({ _tag: "Cut", attempt: this })
      })
      : undefined
    fiber.addObserver(this.observer)
  }

  /** Marks it handled: no more events from its fiber or its cut. */
  retire(): void {
    this.done = true
    this.fiber.removeObserver(this.observer)
    if (this.entry !== undefined) this.sink.timer.cancel(this.entry)
  }
}
