import { remaining } from "@aio-request/kernel/deadline"
import * as kernel from "@aio-request/kernel/strategy/run"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Deadline from "../../Deadline.js"
import type * as Delays from "../../Delays.js"
import type { RetryBudget } from "../../RetryBudget.js"
import type * as Strategy from "../../Strategy.js"
import * as deadline_ from "../deadline.js"
import {
  contextOf,
  currentTimeMillis,
  currentTimeNanos,
  type FiberId,
  fiberIdOf,
  forkDetach,
  forkIn,
  interruptAndAwait,
  interruptAsFork,
  isInterrupted,
  type RuntimeFiber
} from "../line.js"
import * as retryBudget_ from "../retryBudget.js"
import { type Alarm, Attempt, type Event, type Outcome } from "./attempt.js"
import { Events } from "./events.js"
import { guard } from "./hooks.js"
import { pushbackOutcome } from "./pushback.js"
import type { Result } from "./strategy.js"

/** Reports an outcome that nothing waits for. */
const ignore = () => Effect.void

/**
 * The coordinator of one `Strategy.run`, shared by the strategies it nests:
 * it owns the attempts (each owns its fiber, its cut and its observer), the
 * events they send, the run's deadline and the values held for release.
 *
 * Its methods run on the caller's fiber, which is uninterruptible except while
 * it waits for the next event (`next`): that is where the caller's
 * interruption lands, and where every attempt still in flight is interrupted.
 * The methods a strategy goes on from take a continuation (`f`), called at
 * once when there is nothing to wait for, so the common path builds no
 * intermediate step; call them only while the run executes (inside a
 * `flatMap` or another continuation), never to build an effect ahead of time.
 *
 * @internal
 */
export class Coordinator<A, E, R> extends Events<A, E> {
  /** Numbers the attempts of the whole run from 0. */
  private attempts = 0
  /** The attempts in flight. */
  readonly inFlight: Array<Attempt<A, E>> = []
  /** Success outcomes not (yet) released: kept only when `release` is set. */
  private readonly held: Array<Outcome<A, E>> = []
  /** The one alarm a strategy waits on besides attempts (a hedge delay or a wait). */
  extraAlarm: Alarm | undefined = undefined
  /** Whether attempts record their start, for durations (`onAttempt`, a `Delays` that observes). */
  private timed: boolean
  /** When attempt 0 of a plain run started (Clock nanos), set by `run` when the run reports durations. */
  firstStartNanos = 0n
  readonly key: string
  readonly deadline: number
  /** The caller's hooks, guarded: a failure or defect is logged and ignored, the run goes on. */
  readonly onAttempt: ((outcome: Strategy.AttemptOutcome<A, E>) => Effect.Effect<void>) | undefined
  readonly release: ((value: A) => Effect.Effect<void>) | undefined
  /** The caller's context with the run's deadline in `CurrentDeadline`, for its attempts. */
  readonly context: Context.Context<never>

  readonly options: Strategy.RunOptions<A, E, R>
  readonly budget: RetryBudget.Service
  readonly clock: Clock.Clock
  readonly fiberId: FiberId
  readonly startMillis: number
  protected readonly caller: RuntimeFiber<unknown, unknown>
  readonly restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>

  constructor(
    options: Strategy.RunOptions<A, E, R>,
    budget: RetryBudget.Service,
    clock: Clock.Clock,
    caller: RuntimeFiber<unknown, unknown>,
    startMillis: number,
    restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
  ) {
    super()
    this.options = options
    this.budget = budget
    this.clock = clock
    this.caller = caller
    this.fiberId = fiberIdOf(caller)
    this.startMillis = startMillis
    this.restore = restore
    this.key = options.key ?? ""
    this.onAttempt = guard("onAttempt", options.onAttempt)
    this.release = guard("release", options.release)
    this.deadline = options.deadline.epochMillis
    this.context = Context.add(contextOf(caller), deadline_.CurrentDeadline, Option.some(options.deadline))
    this.timed = this.onAttempt !== undefined
  }

  /** Attempts launched from now on record their start: `delays` observes accepted latencies. */
  observes(delays: Delays.Delays): void {
    if (delays.observe !== undefined) this.timed = true
  }

  /**
   * Takes the next attempt number and calls `f` with it, or with `undefined`
   * when it may not be sent. The first attempt of a run deposits into the
   * retry budget; every later one must withdraw, and is not sent when it
   * cannot.
   */
  admit<X, E2, R2>(f: (number: number | undefined) => Effect.Effect<X, E2, R2>): Effect.Effect<X, E2, R2> {
    const n = this.attempts++
    if (kernel.deposits(n)) {
      return this.budget === retryBudget_.unlimited ? f(n) : Effect.flatMap(this.budget.deposit, () => f(n))
    }
    return Effect.flatMap(this.budget.tryWithdraw, (ok) => f(ok ? n : undefined))
  }

  /**
   * Starts attempt `number` in a fiber of its own, with `deadline` in
   * `CurrentDeadline`, then calls `f` with it (`forkIn`: how the child gets
   * its context is the line's).
   */
  launch<X, E2, R2>(
    number: number,
    kind: Strategy.AttemptKind,
    deadline: Deadline.Deadline,
    f: (attempt: Attempt<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R | R2> {
    const attemptKind = kernel.attemptKind(number, kind)
    const context = deadline === this.options.deadline
      ? this.context
      : Context.add(this.context, deadline_.CurrentDeadline, Option.some(deadline))
    const effect = this.options.attempt({ attempt: number, kind: attemptKind, deadline })
    return forkIn(this.caller, context, effect, (fiber) => {
      const attempt = new Attempt<A, E>(
        this,
        number,
        attemptKind,
        fiber,
        deadline.epochMillis,
        this.deadline,
        this.timed ? currentTimeNanos(this.clock) : 0n
      )
      this.inFlight.push(attempt)
      return f(attempt)
    })
  }

  /** Attempt 0 was sent by `run` itself (a plain run, see run.ts) and is over. */
  adopted(): void {
    this.attempts = 1
  }

  /**
   * Takes over attempt 0, sent by `run` itself under the run's deadline (a
   * plain run, see run.ts) and still running.
   */
  adopt(fiber: RuntimeFiber<A, E>): Attempt<A, E> {
    this.attempts = 1
    const attempt = new Attempt<A, E>(this, 0, "first", fiber, this.deadline, this.deadline, this.firstStartNanos)
    this.inFlight.push(attempt)
    return attempt
  }

  /** Marks `attempt` handled: no more events from it, no longer in flight. */
  private retire(attempt: Attempt<A, E>): void {
    attempt.retire()
    const index = this.inFlight.indexOf(attempt)
    if (index >= 0) this.inFlight.splice(index, 1)
  }

  /** Retires every attempt in flight and returns them. */
  private retireAll(): Array<Attempt<A, E>> {
    const flights = this.inFlight.splice(0)
    for (const attempt of flights) attempt.retire()
    return flights
  }

  private classify(exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>): Strategy.Verdict {
    try {
      return this.options.classify(exit)
    } catch (error) {
      // the run dies with the classifier's defect: nothing may keep running
      this.abandonUnsafe()
      throw error
    }
  }

  /**
   * Classifies and reports one attempt's outcome (accepted latencies feed
   * `delays`), then calls `f` with it: at once when there is nothing to report
   * (no `onAttempt`, no `observe`).
   */
  private report<X, E2, R2>(
    attempt: Attempt<A, E>,
    exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>,
    cut: boolean,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R2> {
    const verdict = this.classify(exit)
    const outcome = this.options.pushback === undefined ? { exit, verdict } : pushbackOutcome(this, exit, verdict)
    if (this.release !== undefined && Exit.isSuccess(exit)) this.held.push(outcome)
    const onAttempt = this.onAttempt
    const observe = verdict === "accept" ? delays?.observe : undefined
    if (onAttempt === undefined && observe === undefined) return f(outcome)
    const duration = Duration.nanos(currentTimeNanos(this.clock) - attempt.startNanos)
    const reported = onAttempt === undefined
      ? Effect.void
      : onAttempt({ attempt: attempt.number, kind: attempt.kind, exit, verdict, duration, cut })
    return Effect.flatMap(
      observe === undefined ? reported : Effect.andThen(reported, observe(this.key, duration)),
      () => f(outcome)
    )
  }

  /** `attempt` ended by itself with `exit`: report it, then go on with `f`. */
  completed<X, E2, R2>(
    attempt: Attempt<A, E>,
    exit: Exit.Exit<A, E>,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R2> {
    this.retire(attempt)
    return this.report(attempt, exit, false, delays, f)
  }

  /**
   * Waits for `attempt`'s outcome (its exit, its attempt deadline, or the
   * run's deadline), then goes on with `f`.
   */
  await<X, E2, R2>(
    attempt: Attempt<A, E>,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R2> {
    return this.next((event) => this.awaited(attempt, delays, f, event))
  }

  private awaited<X, E2, R2>(
    attempt: Attempt<A, E>,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>,
    event: Event<A, E>
  ): Effect.Effect<X, E2, R2> {
    switch (event._tag) {
      case "Exit":
        return event.attempt === attempt
          ? this.completed(attempt, event.exit, delays, f)
          : this.await(attempt, delays, f)
      case "Cut":
        return event.attempt === attempt ? Effect.flatMap(this.cut(attempt, delays), f) : this.await(attempt, delays, f)
      case "Expired":
        return Effect.flatMap(this.expire(), f)
      case "Timer":
        return this.await(attempt, delays, f)
    }
  }

  /**
   * Waits until `at` (Clock millis) or the run's deadline, whichever comes
   * first, then calls `f` with true when the deadline came first.
   */
  sleepUntil<X, E2, R2>(at: number, f: (expired: boolean) => Effect.Effect<X, E2, R2>): Effect.Effect<X, E2, R2> {
    if (at <= currentTimeMillis(this.clock)) return f(false)
    let alarm: Alarm | undefined = undefined
    if (at < this.deadline) {
      const scheduled: Alarm = this.schedule(at, () => this.push({ _tag: "Timer", alarm: scheduled }))
      alarm = scheduled
    }
    this.extraAlarm = alarm
    const onEvent = (event: Event<A, E>): Effect.Effect<X, E2, R2> => {
      if (event._tag === "Expired") return f(true)
      if (event._tag === "Timer" && event.alarm === alarm) {
        this.extraAlarm = undefined
        return f(false)
      }
      return this.next(onEvent)
    }
    return this.next(onEvent)
  }

  /** `attempt` reached its own attempt deadline: interrupt it, wait for it, report it cut. */
  cut(attempt: Attempt<A, E>, delays: Delays.Delays | undefined): Effect.Effect<Outcome<A, E>> {
    this.retire(attempt)
    return Effect.flatMap(interruptAndAwait(attempt.fiber), (exit) => {
      const error = new deadline_.DeadlineExceededError({
        reason: "expired",
        budget: Duration.millis(attempt.budget!),
        phase: "attempt",
        subject: this.options.subject,
        attempt: attempt.number
      })
      const released = this.release !== undefined && Exit.isSuccess(exit)
        ? this.release(exit.value)
        : Effect.void
      return Effect.andThen(released, this.report(attempt, Exit.fail(error), true, delays, Effect.succeed))
    })
  }

  /** The run's own `DeadlineExceededError` for an end at its deadline, naming the attempt in flight. */
  private expired(attempt: number | undefined): deadline_.DeadlineExceededError {
    return new deadline_.DeadlineExceededError({
      reason: "expired",
      budget: Duration.millis(remaining(this.deadline, this.startMillis)),
      phase: "run",
      subject: this.options.subject,
      attempt
    })
  }

  /**
   * The run's deadline passed: every attempt in flight is interrupted in the
   * background (the answer is not delayed by their finalizers) and reported
   * cut; the run ends with `DeadlineExceededError`.
   */
  expire(): Effect.Effect<Outcome<A, E>> {
    const flights = this.retireAll()
    const last = flights.length === 0 ? undefined : flights[flights.length - 1]!.number
    const outcome: Outcome<A, E> = { exit: Exit.fail(this.expired(last)), verdict: "reject", expired: true }
    if (flights.length === 0) return Effect.succeed(outcome)
    const effects: Array<Effect.Effect<unknown>> = []
    for (const attempt of flights) effects.push(this.interruptInBackground(attempt))
    for (const attempt of flights) {
      effects.push(this.report(attempt, Exit.fail(this.expired(attempt.number)), true, undefined, ignore))
    }
    return Effect.as(Effect.all(effects, { discard: true }), outcome)
  }

  private interruptInBackground(attempt: Attempt<A, E>): Effect.Effect<unknown> {
    const release = this.release
    if (release === undefined) {
      interruptAsFork(attempt.fiber, this.fiberId)
      return Effect.void
    }
    // an answer that arrives while it is being interrupted is still freed
    return forkDetach(
      Effect.flatMap(
        interruptAndAwait(attempt.fiber),
        (exit) => Exit.isSuccess(exit) ? release(exit.value) : Effect.void
      )
    )
  }

  /**
   * Interrupts the attempts still in flight (the losers once one won) and
   * waits for them. One that completed meanwhile is reported, and its value
   * released: it is not the result.
   */
  interruptRest(): Effect.Effect<void> {
    const flights = this.retireAll()
    if (flights.length === 0) return Effect.void
    // every loser is told at once, then each is awaited: they close in parallel
    for (const attempt of flights) interruptAsFork(attempt.fiber, this.fiberId)
    return Effect.forEach(
      flights,
      (attempt) =>
        Effect.flatMap(
          Fiber.await(attempt.fiber),
          (exit) => isInterrupted(exit) ? Effect.void : this.report(attempt, exit, false, undefined, ignore)
        ),
      { discard: true }
    )
  }

  /** `outcome` will not be the result: free its value, then go on with `f`. */
  drop<X, E2, R2>(outcome: Outcome<A, E> | undefined, f: () => Effect.Effect<X, E2, R2>): Effect.Effect<X, E2, R2> {
    if (outcome === undefined || this.held.length === 0) return f()
    const index = this.held.indexOf(outcome)
    if (index < 0) return f()
    this.held.splice(index, 1)
    return Effect.flatMap(this.release!((outcome.exit as Exit.Success<A, never>).value), f)
  }

  /** Releases every held value except `result`'s. */
  private releaseHeld(result: Outcome<A, E> | undefined): Effect.Effect<void> {
    const held = this.held.splice(0).filter((outcome) => outcome !== result)
    if (held.length === 0) return Effect.void
    const release = this.release!
    return Effect.forEach(held, (outcome) => release((outcome.exit as Exit.Success<A, never>).value), {
      discard: true
    })
  }

  private cancelEntries(): void {
    this.disarm()
    if (this.extraAlarm !== undefined) this.cancel(this.extraAlarm)
    this.extraAlarm = undefined
  }

  /** The caller went away: interrupt everything in flight, wait for it, free what is held. */
  abandon(): Effect.Effect<void> {
    this.cancelEntries()
    const flights = this.retireAll()
    const release = this.release
    // every attempt is told at once, then each is awaited: they close in parallel
    for (const attempt of flights) interruptAsFork(attempt.fiber, this.fiberId)
    const interrupted = Effect.forEach(flights, (attempt) =>
      Effect.flatMap(
        Fiber.await(attempt.fiber),
        (exit) => release !== undefined && Exit.isSuccess(exit) ? release(exit.value) : Effect.void
      ), { discard: true })
    return release === undefined ? interrupted : Effect.andThen(interrupted, this.releaseHeld(undefined))
  }

  /** Synchronous last resort when the run dies: nothing keeps running or waiting. */
  abandonUnsafe(): void {
    this.cancelEntries()
    for (const attempt of this.retireAll()) interruptAsFork(attempt.fiber, this.fiberId)
  }

  /** The run's result: the last outcome as it was; what else is held is released. */
  finish(outcome: Outcome<A, E> | undefined): Result<A, E, never> {
    this.cancelEntries()
    const result = outcome === undefined
      ? Exit.fail(
        new deadline_.DeadlineExceededError({
          reason: "expired",
          budget: Duration.millis(remaining(this.deadline, this.startMillis)),
          phase: "run",
          subject: this.options.subject
        })
      )
      : outcome.exit
    const rest = this.inFlight.length === 0 ? Effect.void : this.interruptRest()
    // held is most often the result alone: nothing to release, no step
    const released = this.release === undefined || this.held.length === 0 ? Effect.void : this.releaseHeld(outcome)
    if (released === Effect.void) return rest === Effect.void ? result : Effect.andThen(rest, result)
    return Effect.andThen(Effect.andThen(rest, released), result)
  }
}
