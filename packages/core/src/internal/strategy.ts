import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Deadline from "../Deadline.js"
import type * as Delays from "../Delays.js"
import { RetryBudget } from "../RetryBudget.js"
import type * as Strategy from "../Strategy.js"
import * as deadline_ from "./deadline.js"
import * as delays_ from "./delays.js"
import * as retryBudget_ from "./retryBudget.js"
import { type Entry, type Timer, timerFor } from "./timer.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: typeof Strategy.TypeId = Symbol.for("@aio-request/core/Strategy") as typeof Strategy.TypeId

/**
 * One attempt's outcome and the classifier's verdict on it. `expired` marks
 * the run's own end at its deadline (not an attempt's outcome).
 */
interface Outcome<A, E> {
  readonly exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>
  readonly verdict: Strategy.Verdict
  readonly expired?: true
}

/** An attempt in flight: its fiber and what its outcome report needs. */
interface Flight<A, E> {
  readonly number: number
  readonly kind: Strategy.AttemptKind
  readonly startNanos: bigint
  readonly fiber: Fiber.RuntimeFiber<A, E>
  /** Its attempt deadline, in Clock millis, and what was left of it at the start. */
  readonly deadline: number
  readonly budget: number
  /** The cut at its own attempt deadline, when that is earlier than the run's. */
  entry: Entry | undefined
  /** Its outcome was handled, or it was abandoned: its events are ignored. */
  done: boolean
  observer: (exit: Exit.Exit<A, E>) => void
}

/**
 * What the run's coordinator waits for. Attempts run in fibers of their own;
 * their exits (fiber observers) and the timer's entries (attempt deadlines,
 * hedge delays, waits, the run's deadline) arrive here, and the caller's fiber
 * takes them one at a time: no Queue, Scope or launcher fiber.
 */
type Event<A, E> =
  | { readonly _tag: "Exit"; readonly flight: Flight<A, E>; readonly exit: Exit.Exit<A, E> }
  | { readonly _tag: "Cut"; readonly flight: Flight<A, E> }
  | { readonly _tag: "Timer"; readonly entry: Entry }
  | { readonly _tag: "Expired" }

const EXPIRED = { _tag: "Expired" } as const

/**
 * The state of one `Strategy.run`, shared by the strategies it nests. Its
 * methods run on the caller's fiber, which is uninterruptible except while
 * it waits for the next event (`next`): that is where the caller's
 * interruption lands, and where every attempt still in flight is interrupted.
 */
class Run<A, E, R> {
  /** Numbers the attempts of the whole run from 0. */
  attempts = 0
  readonly flights: Array<Flight<A, E>> = []
  /** Success outcomes not (yet) released: kept only when `release` is set. */
  readonly held: Array<Outcome<A, E>> = []
  private readonly events: Array<Event<A, E>> = []
  private waiting: ((event: Effect.Effect<Event<A, E>>) => void) | undefined = undefined
  /** The one entry a body waits on besides attempts (a hedge delay or a wait). */
  extraEntry: Entry | undefined = undefined
  expiredEntry: Entry | undefined = undefined
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
  readonly timer: Timer
  readonly fiberId: FiberId.FiberId
  readonly startMillis: number
  readonly restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>

  constructor(
    options: Strategy.RunOptions<A, E, R>,
    budget: RetryBudget.Service,
    clock: Clock.Clock,
    timer: Timer,
    fiberId: FiberId.FiberId,
    context: Context.Context<never>,
    startMillis: number,
    restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
  ) {
    this.options = options
    this.budget = budget
    this.clock = clock
    this.timer = timer
    this.fiberId = fiberId
    this.startMillis = startMillis
    this.restore = restore
    this.key = options.key ?? ""
    this.onAttempt = guard("onAttempt", options.onAttempt)
    this.release = guard("release", options.release)
    this.deadline = options.deadline.epochMillis
    this.context = Context.add(context, deadline_.CurrentDeadline, Option.some(options.deadline))
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

  /**
   * Calls `f` with the next event, at once if one is queued. Waiting is the
   * only point where the caller's interruption lands. Call it only while the
   * run executes (inside a `flatMap` or `suspend`), never to build an effect
   * ahead of time.
   */
  nextThen<X, E2, R2>(f: (event: Event<A, E>) => Effect.Effect<X, E2, R2>): Effect.Effect<X, E2, R2> {
    if (this.events.length > 0) return f(this.events.shift()!)
    return Effect.flatMap(
      this.restore(Effect.async<Event<A, E>>((resume) => {
        this.waiting = resume
        return Effect.suspend(() => {
          this.waiting = undefined
          return this.abandon()
        })
      })),
      f
    )
  }

  /**
   * Takes the next attempt number and calls `f` with it, or with `undefined`
   * when it may not be sent. The first attempt of a run deposits into the
   * retry budget; every later one must withdraw, and is not sent when it
   * cannot. Call it only while the run executes.
   */
  admitThen<X, E2, R2>(f: (number: number | undefined) => Effect.Effect<X, E2, R2>): Effect.Effect<X, E2, R2> {
    const n = this.attempts++
    if (n === 0) return this.budget === retryBudget_.unlimited ? f(0) : Effect.flatMap(this.budget.deposit, () => f(0))
    return Effect.flatMap(this.budget.tryWithdraw, (ok) => f(ok ? n : undefined))
  }

  /**
   * Starts attempt `number` in a fiber of its own, with `deadline` in
   * `CurrentDeadline`, then calls `f` with its flight. The deadline is set in
   * the new fiber's context directly (`Effect.provideService` would also
   * restore it, for a fiber that ends anyway). Call it only while the run
   * executes.
   */
  launchThen<X, E2, R2>(
    number: number,
    kind: Strategy.AttemptKind,
    deadline: Deadline.Deadline,
    f: (flight: Flight<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R | R2> {
    const attemptKind = number === 0 ? "first" : kind
    const context = deadline === this.options.deadline
      ? this.context
      : Context.add(this.context, deadline_.CurrentDeadline, Option.some(deadline))
    const effect = Effect.zipRight(
      FiberRef.set(FiberRef.currentContext, context),
      this.options.attempt({ attempt: number, kind: attemptKind, deadline })
    )
    return Effect.flatMap(Effect.fork(this.restore(effect)), (fiber) => {
      const at = deadline.epochMillis
      const flight: Flight<A, E> = {
        number,
        kind: attemptKind,
        startNanos: this.clock.unsafeCurrentTimeNanos(),
        fiber,
        deadline: at,
        budget: Math.max(0, at - this.clock.unsafeCurrentTimeMillis()),
        entry: undefined,
        done: false,
        observer: (exit) => {
          if (!flight.done) this.push({ _tag: "Exit", flight, exit })
        }
      }
      this.flights.push(flight)
      if (at < this.deadline) {
        flight.entry = this.timer.schedule(at, () => {
          if (!flight.done) this.push({ _tag: "Cut", flight })
        })
      }
      fiber.addObserver(flight.observer)
      return f(flight)
    })
  }

  /** Marks `flight` handled: no more events from it. */
  private retire(flight: Flight<A, E>): void {
    flight.done = true
    flight.fiber.removeObserver(flight.observer)
    if (flight.entry !== undefined) this.timer.cancel(flight.entry)
    const index = this.flights.indexOf(flight)
    if (index >= 0) this.flights.splice(index, 1)
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

  /** Classifies and reports one attempt's outcome; accepted latencies feed `delays`. */
  private report(
    flight: Flight<A, E>,
    exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>,
    cut: boolean,
    delays: Delays.Delays | undefined
  ): Effect.Effect<Outcome<A, E>> {
    return this.reportThen(flight, exit, cut, delays, Effect.succeed)
  }

  /**
   * `report`, then `f` with the outcome: called at once when there is nothing
   * to report (no `onAttempt`, no `observe`), saving two steps on the fast path.
   */
  private reportThen<X, E2, R2>(
    flight: Flight<A, E>,
    exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>,
    cut: boolean,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R2> {
    const verdict = this.classify(exit)
    const outcome: Outcome<A, E> = { exit, verdict }
    if (this.release !== undefined && Exit.isSuccess(exit)) this.held.push(outcome)
    const onAttempt = this.onAttempt
    const observe = verdict === "accept" ? delays?.observe : undefined
    if (onAttempt === undefined && observe === undefined) return f(outcome)
    const duration = Duration.nanos(this.clock.unsafeCurrentTimeNanos() - flight.startNanos)
    const reported = onAttempt === undefined
      ? Effect.void
      : onAttempt({ attempt: flight.number, kind: flight.kind, exit, verdict, duration, cut })
    return Effect.flatMap(
      observe === undefined ? reported : Effect.zipRight(reported, observe(this.key, duration)),
      () => f(outcome)
    )
  }

  /** An attempt ended by itself. */
  completed(flight: Flight<A, E>, exit: Exit.Exit<A, E>, delays: Delays.Delays | undefined) {
    this.retire(flight)
    return this.report(flight, exit, false, delays)
  }

  /** An attempt ended by itself; go on with `f`. */
  completedThen<X, E2, R2>(
    flight: Flight<A, E>,
    exit: Exit.Exit<A, E>,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R2> {
    this.retire(flight)
    return this.reportThen(flight, exit, false, delays, f)
  }

  /** An attempt reached its own attempt deadline: interrupt it, wait for it, report it cut. */
  cut(flight: Flight<A, E>, delays: Delays.Delays | undefined): Effect.Effect<Outcome<A, E>> {
    this.retire(flight)
    return Effect.flatMap(Fiber.interrupt(flight.fiber), (exit) => {
      const error = new deadline_.DeadlineExceededError({
        reason: "expired",
        budget: Duration.millis(flight.budget),
        phase: "attempt",
        subject: this.options.subject,
        attempt: flight.number
      })
      const released = this.release !== undefined && Exit.isSuccess(exit)
        ? this.release(exit.value)
        : Effect.void
      return Effect.zipRight(released, this.report(flight, Exit.fail(error), true, delays))
    })
  }

  /**
   * The run's deadline passed: every attempt in flight is interrupted in the
   * background (the answer is not delayed by their finalizers) and reported
   * cut; the run ends with `DeadlineExceededError`.
   */
  expire(): Effect.Effect<Outcome<A, E>> {
    const flights = this.flights.splice(0)
    const error = (attempt: number | undefined) =>
      new deadline_.DeadlineExceededError({
        reason: "expired",
        budget: Duration.millis(Math.max(0, this.deadline - this.startMillis)),
        phase: "run",
        subject: this.options.subject,
        attempt
      })
    const last = flights.length === 0 ? undefined : flights[flights.length - 1]!.number
    const outcome: Outcome<A, E> = { exit: Exit.fail(error(last)), verdict: "reject", expired: true }
    if (flights.length === 0) return Effect.succeed(outcome)
    const effects: Array<Effect.Effect<unknown>> = []
    for (const flight of flights) {
      flight.done = true
      flight.fiber.removeObserver(flight.observer)
      if (flight.entry !== undefined) this.timer.cancel(flight.entry)
      effects.push(this.interruptInBackground(flight))
    }
    for (const flight of flights) effects.push(this.report(flight, Exit.fail(error(flight.number)), true, undefined))
    return Effect.as(Effect.all(effects, { discard: true }), outcome)
  }

  private interruptInBackground(flight: Flight<A, E>): Effect.Effect<unknown> {
    const release = this.release
    if (release === undefined) {
      flight.fiber.unsafeInterruptAsFork(this.fiberId)
      return Effect.void
    }
    // an answer that arrives while it is being interrupted is still freed
    return Effect.forkDaemon(
      Effect.flatMap(Fiber.interrupt(flight.fiber), (exit) => Exit.isSuccess(exit) ? release(exit.value) : Effect.void)
    )
  }

  /**
   * Interrupts the attempts still in flight (the losers once one won) and
   * waits for them. One that completed meanwhile is reported, and its value
   * released: it is not the result.
   */
  interruptRest(): Effect.Effect<void> {
    const flights = this.flights.splice(0)
    if (flights.length === 0) return Effect.void
    for (const flight of flights) {
      flight.done = true
      flight.fiber.removeObserver(flight.observer)
      if (flight.entry !== undefined) this.timer.cancel(flight.entry)
    }
    // every loser is told at once, then each is awaited: they close in parallel
    for (const flight of flights) flight.fiber.unsafeInterruptAsFork(this.fiberId)
    return Effect.forEach(
      flights,
      (flight) =>
        Effect.flatMap(
          Fiber.await(flight.fiber),
          (exit) => Exit.isInterrupted(exit) ? Effect.void : this.report(flight, exit, false, undefined)
        ),
      { discard: true }
    )
  }

  /** `outcome` will not be the result: free its value now. */
  drop(outcome: Outcome<A, E> | undefined): Effect.Effect<void> {
    if (outcome === undefined || this.held.length === 0) return Effect.void
    const index = this.held.indexOf(outcome)
    if (index < 0) return Effect.void
    this.held.splice(index, 1)
    return this.release!((outcome.exit as Exit.Success<A, never>).value)
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
    if (this.expiredEntry !== undefined) this.timer.cancel(this.expiredEntry)
    if (this.extraEntry !== undefined) this.timer.cancel(this.extraEntry)
    this.extraEntry = undefined
  }

  /** The caller went away: interrupt everything in flight, wait for it, free what is held. */
  abandon(): Effect.Effect<void> {
    this.cancelEntries()
    const flights = this.flights.splice(0)
    for (const flight of flights) {
      flight.done = true
      flight.fiber.removeObserver(flight.observer)
      if (flight.entry !== undefined) this.timer.cancel(flight.entry)
    }
    const release = this.release
    // every attempt is told at once, then each is awaited: they close in parallel
    for (const flight of flights) flight.fiber.unsafeInterruptAsFork(this.fiberId)
    const interrupted = Effect.forEach(flights, (flight) =>
      Effect.flatMap(
        Fiber.await(flight.fiber),
        (exit) => release !== undefined && Exit.isSuccess(exit) ? release(exit.value) : Effect.void
      ), { discard: true })
    return release === undefined ? interrupted : Effect.zipRight(interrupted, this.releaseHeld(undefined))
  }

  /** Synchronous last resort when the run dies: nothing keeps running or waiting. */
  abandonUnsafe(): void {
    this.cancelEntries()
    for (const flight of this.flights.splice(0)) {
      flight.done = true
      flight.fiber.removeObserver(flight.observer)
      if (flight.entry !== undefined) this.timer.cancel(flight.entry)
      flight.fiber.unsafeInterruptAsFork(this.fiberId)
    }
  }

  /** The run's result: the last outcome as it was; what else is held is released. */
  finish(outcome: Outcome<A, E> | undefined): Effect.Effect<A, E | deadline_.DeadlineExceededError> {
    this.cancelEntries()
    const result = outcome === undefined
      ? Exit.fail(
        new deadline_.DeadlineExceededError({
          reason: "expired",
          budget: Duration.millis(Math.max(0, this.deadline - this.startMillis)),
          phase: "run",
          subject: this.options.subject
        })
      )
      : outcome.exit
    const rest = this.flights.length === 0 ? Effect.void : this.interruptRest()
    if (this.release === undefined || this.held.length === 0) {
      return rest === Effect.void ? result : Effect.zipRight(rest, result)
    }
    return Effect.zipRight(Effect.zipRight(rest, this.releaseHeld(outcome)), result)
  }

  /**
   * Waits until `at` (Clock millis) or the run's deadline, whichever comes
   * first; true when the deadline came first.
   */
  sleepUntil(at: number): Effect.Effect<boolean> {
    if (at <= this.clock.unsafeCurrentTimeMillis()) return Effect.succeed(false)
    let entry: Entry | undefined = undefined
    if (at < this.deadline) {
      const scheduled: Entry = this.timer.schedule(at, () => this.push({ _tag: "Timer", entry: scheduled }))
      entry = scheduled
    }
    this.extraEntry = entry
    const onEvent = (event: Event<A, E>): Effect.Effect<boolean> => {
      if (event._tag === "Expired") return Effect.succeed(true)
      if (event._tag === "Timer" && event.entry === entry) {
        this.extraEntry = undefined
        return Effect.succeed(false)
      }
      return this.nextThen(onEvent)
    }
    return this.nextThen(onEvent)
  }

  /** Waits for `flight`'s outcome: its exit, its attempt deadline, or the run's deadline. */
  await(flight: Flight<A, E>, delays: Delays.Delays | undefined): Effect.Effect<Outcome<A, E>> {
    return this.awaitThen(flight, delays, Effect.succeed)
  }

  /** `await`, then `f` with the outcome. */
  awaitThen<X, E2, R2>(
    flight: Flight<A, E>,
    delays: Delays.Delays | undefined,
    f: (outcome: Outcome<A, E>) => Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E2, R2> {
    const onEvent = (event: Event<A, E>): Effect.Effect<X, E2, R2> => {
      switch (event._tag) {
        case "Exit":
          return event.flight === flight ? this.completedThen(flight, event.exit, delays, f) : this.nextThen(onEvent)
        case "Cut":
          return event.flight === flight ? Effect.flatMap(this.cut(flight, delays), f) : this.nextThen(onEvent)
        case "Expired":
          return Effect.flatMap(this.expire(), f)
        case "Timer":
          return this.nextThen(onEvent)
      }
    }
    return this.nextThen(onEvent)
  }
}

/** `hook` with its failures and defects logged and ignored. */
const guard = <X>(
  name: string,
  hook: ((x: X) => Effect.Effect<void>) | undefined
): ((x: X) => Effect.Effect<void>) | undefined =>
  hook === undefined ? undefined : (x) =>
    Effect.catchAllCause(
      Effect.suspend(() => hook(x)),
      (cause) => Effect.logWarning(`Strategy.run: ${name} failed`, cause)
    )

type Body = <A, E, R>(run: Run<A, E, R>) => Effect.Effect<Outcome<A, E> | undefined, never, R>

interface StrategyImpl extends Strategy.Strategy {
  readonly body: Body
  /** Picks the body from the run's options before the run starts (`byMethod`). */
  readonly select?: (options: Strategy.RunOptions<any, any, any>) => Body
}

const StrategyProto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  }
}

const make = (description: string, body: Body): Strategy.Strategy => {
  const self = Object.create(StrategyProto) as { body: Body; toString: () => string }
  self.body = body
  self.toString = () => description
  return self as unknown as StrategyImpl
}

/** @internal */
export const isStrategy = (u: unknown): u is Strategy.Strategy => typeof u === "object" && u !== null && TypeId in u

const bodyOf = (strategy: Strategy.Strategy): Body => (strategy as StrategyImpl).body

const attemptsOption = (where: string, attempts: number | undefined) =>
  validate.integer(where, "attempts", attempts ?? 3, 1)

const strategyOption = (where: string, option: string, value: Strategy.Strategy): Strategy.Strategy =>
  isStrategy(value) ? value : validate.fail(where, option, "a Strategy", value)

const singleBody: Body = (run) =>
  run.admitThen((number) =>
    number === undefined
      ? Effect.succeed(undefined)
      : run.launchThen(number, "retry", run.options.deadline, (flight) => run.await(flight, undefined))
  )

/** @internal */
export const single: Strategy.Strategy = make("Strategy.single", singleBody)

/** @internal */
export const sequential = (options?: Strategy.Strategy.SequentialOptions): Strategy.Strategy => {
  const where = "Strategy.sequential"
  validate.optionsBag(where, options)
  const attempts = attemptsOption(where, options?.attempts)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const attemptDeadline = options?.attemptDeadline === undefined
    ? deadline_.passThrough
    : validate.callable(where, "attemptDeadline", options.attemptDeadline)
  return make(`Strategy.sequential(${attempts})`, <A, E, R>(run: Run<A, E, R>) => {
    const send = (i: number, number: number): Effect.Effect<Outcome<A, E>, never, R> =>
      Effect.flatMap(
        attemptDeadline({ deadline: run.options.deadline, attempt: i, attempts }),
        (deadline) => run.launchThen(number, "retry", deadline, (flight) => run.await(flight, delays))
      )
    const next = (outcome: Outcome<A, E>, i: number): Effect.Effect<Outcome<A, E> | undefined, never, R> =>
      outcome.verdict === "accept" || outcome.expired || i >= attempts ? Effect.succeed(outcome) : retry(i, outcome)
    /** Attempt `i` ≥ 1, after the last one was rejected. */
    const retry = (i: number, last: Outcome<A, E>): Effect.Effect<Outcome<A, E> | undefined, never, R> =>
      Effect.flatMap(delays.delay(i, run.key), (delay) => {
        const wait = Duration.toMillis(delay)
        // *(seed)* no time left for the wait: the last outcome stands
        if (run.deadline - run.clock.unsafeCurrentTimeMillis() < wait) return Effect.succeed(last)
        // the budget is asked before the wait: a refused retry must not delay the answer
        return run.admitThen((number) => {
          if (number === undefined) return Effect.succeed(last)
          const sent = () =>
            Effect.flatMap(send(i, number), (outcome) => Effect.zipRight(run.drop(last), next(outcome, i + 1)))
          if (wait <= 0) return sent()
          return Effect.flatMap(
            run.sleepUntil(run.clock.unsafeCurrentTimeMillis() + wait),
            (expired) => expired ? Effect.zipRight(run.drop(last), run.expire()) : sent()
          )
        })
      })
    return run.admitThen((number) =>
      number === undefined ? Effect.succeed(undefined) : Effect.flatMap(send(0, number), (outcome) => next(outcome, 1))
    )
  })
}

/** @internal */
export const parallel = (options?: Strategy.Strategy.ParallelOptions): Strategy.Strategy => {
  const where = "Strategy.parallel"
  validate.optionsBag(where, options)
  const attempts = attemptsOption(where, options?.attempts)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  return make(`Strategy.parallel(${attempts})`, <A, E, R>(run: Run<A, E, R>) => {
    const start = run.clock.unsafeCurrentTimeMillis()
    /** Index (in this strategy) of the next attempt to send. */
    let index = 0
    /** No more attempts will be sent (all sent, or the budget refused one). */
    let exhausted = false
    /** Rejections not yet turned into an early start (each starts the next pending attempt). */
    let kicks = 0
    /** The entry for the next hedge, while one is scheduled. */
    let hedge: Entry | undefined = undefined
    let firstRejected: Outcome<A, E> | undefined = undefined

    const cancelHedge = () => {
      if (hedge !== undefined) {
        run.timer.cancel(hedge)
        hedge = undefined
        run.extraEntry = undefined
      }
    }
    /** Sends attempt `index` now, arranges for the one after it, then goes on with `then`. */
    const sendNext = <X>(then: () => Effect.Effect<X, never, R>): Effect.Effect<X, never, R> => {
      cancelHedge()
      return run.admitThen((number) => {
        if (number === undefined) {
          exhausted = true
          return then()
        }
        index++
        return run.launchThen(number, "hedge", run.options.deadline, () => scheduleNext(then))
      })
    }
    /** Attempt `index` starts at `delay(index)` after the start (capped by the deadline), or at once on a kick. */
    const scheduleNext = <X>(then: () => Effect.Effect<X, never, R>): Effect.Effect<X, never, R> => {
      if (index >= attempts) {
        exhausted = true
        return then()
      }
      return Effect.flatMap(delays.delay(index, run.key), (delay) => {
        const at = Math.min(start + Duration.toMillis(delay), run.deadline)
        if (at <= run.clock.unsafeCurrentTimeMillis()) return sendNext(then)
        if (kicks > 0) {
          kicks--
          return sendNext(then)
        }
        const entry: Entry = run.timer.schedule(at, () => run.push({ _tag: "Timer", entry }))
        hedge = entry
        run.extraEntry = entry
        return then()
      })
    }
    const onEvent = (event: Event<A, E>): Effect.Effect<Outcome<A, E> | undefined, never, R> => {
      switch (event._tag) {
        case "Expired":
          cancelHedge()
          return run.expire()
        case "Timer":
          return event.entry === hedge ? sendNext(loop) : loop()
        case "Cut":
          return loop()
        case "Exit": {
          if (event.flight.done) return loop()
          return run.completedThen(event.flight, event.exit, delays, (outcome) => {
            if (outcome.verdict === "accept") {
              cancelHedge()
              if (run.flights.length === 0 && firstRejected === undefined) return Effect.succeed(outcome)
              return Effect.as(Effect.zipRight(run.interruptRest(), run.drop(firstRejected)), outcome)
            }
            const keep = firstRejected === undefined
            if (keep) firstRejected = outcome
            const after = () => {
              if (exhausted && run.flights.length === 0) {
                cancelHedge()
                return Effect.succeed(firstRejected)
              }
              return loop()
            }
            const go = (): Effect.Effect<Outcome<A, E> | undefined, never, R> => {
              // a rejection starts the next pending attempt at once
              if (hedge !== undefined) return sendNext(after)
              if (!exhausted) kicks++
              return after()
            }
            return keep ? go() : Effect.flatMap(run.drop(outcome), go)
          })
        }
      }
    }
    const loop = (): Effect.Effect<Outcome<A, E> | undefined, never, R> => run.nextThen(onEvent)
    return sendNext(loop)
  })
}

/** @internal */
export const retryUntilDeadline = dual<
  (options?: Strategy.Strategy.RetryUntilDeadlineOptions) => (base: Strategy.Strategy) => Strategy.Strategy,
  (base: Strategy.Strategy, options?: Strategy.Strategy.RetryUntilDeadlineOptions) => Strategy.Strategy
>((args) => args.length === 2 || isStrategy(args[0]), (base, options) => {
  const where = "Strategy.retryUntilDeadline"
  strategyOption(where, "base", base)
  validate.optionsBag(where, options)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const inner = bodyOf(base)
  return make(`Strategy.retryUntilDeadline(${String(base)})`, <A, E, R>(run: Run<A, E, R>) => {
    const loop = (round: number, last: Outcome<A, E> | undefined): Effect.Effect<Outcome<A, E> | undefined, never, R> =>
      Effect.flatMap(inner(run), (outcome) => {
        // the budget refused even the first attempt of this round: stop here
        if (outcome === undefined) return Effect.succeed(last)
        const dropped = run.drop(last)
        if (outcome.verdict === "accept" || outcome.expired) return Effect.as(dropped, outcome)
        return dropped.pipe(
          Effect.zipRight(delays.delay(round, run.key)),
          Effect.flatMap((delay) => run.sleepUntil(run.clock.unsafeCurrentTimeMillis() + Duration.toMillis(delay))),
          // the run's deadline ends the loop with DeadlineExceededError
          Effect.flatMap((expired) =>
            expired ? Effect.zipRight(run.drop(outcome), run.expire()) : loop(round + 1, outcome)
          )
        )
      })
    return loop(1, undefined)
  })
})

/** @internal */
export const byMethod = (
  strategies: Readonly<Record<string, Strategy.Strategy>>,
  fallback: Strategy.Strategy = single
): Strategy.Strategy => {
  const where = "Strategy.byMethod"
  validate.record(where, "strategies", strategies)
  const table = new Map<string, Body>()
  for (const [method, strategy] of Object.entries(strategies)) {
    table.set(method.toUpperCase(), bodyOf(strategyOption(where, method, strategy)))
  }
  const otherwise = bodyOf(strategyOption(where, "fallback", fallback))
  const select = (options: Strategy.RunOptions<any, any, any>): Body =>
    table.get(options.method?.toUpperCase() ?? "") ?? otherwise
  const self = make(
    `Strategy.byMethod(${[...table.keys()].join(", ")})`,
    (run) => select(run.options)(run)
  ) as { select?: typeof select }
  self.select = select
  return self as Strategy.Strategy
}

/** @internal */
export const defaultStrategy: Strategy.Strategy = byMethod(
  { GET: sequential(), HEAD: sequential(), OPTIONS: sequential() },
  single
)

/**
 * Runs a strategy on the caller's fiber: attempts are forked, everything else
 * (timers, hedges, the run's deadline) is an event the caller waits for. The
 * run's deadline is one entry in the clock's shared timer, so a run whose
 * first attempt is accepted costs one fork and no timer fiber.
 *
 * @internal
 */
export const run = dual<
  <A, E, R>(
    options: Strategy.RunOptions<A, E, R>
  ) => (self: Strategy.Strategy) => Effect.Effect<A, E | deadline_.DeadlineExceededError, R>,
  <A, E, R>(
    self: Strategy.Strategy,
    options: Strategy.RunOptions<A, E, R>
  ) => Effect.Effect<A, E | deadline_.DeadlineExceededError, R>
>(
  2,
  <A, E, R>(self: Strategy.Strategy, options: Strategy.RunOptions<A, E, R>) =>
    Effect.withFiberRuntime<A, E | deadline_.DeadlineExceededError, R>((fiber) => {
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      const now = clock.unsafeCurrentTimeMillis()
      const deadline = options.deadline.epochMillis
      if (deadline <= now) {
        return Effect.fail(
          new deadline_.DeadlineExceededError({
            reason: "expired",
            budget: Duration.zero,
            phase: "run",
            subject: options.subject
          })
        )
      }
      const budget = Context.get(fiber.currentContext, RetryBudget)
      const timer = timerFor(clock, fiber)
      const select = (self as StrategyImpl).select
      const body = select === undefined ? bodyOf(self) : select(options)
      return Effect.uninterruptibleMask((restore) => {
        const state = new Run<A, E, R>(options, budget, clock, timer, fiber.id(), fiber.currentContext, now, restore)
        if (deadline !== Infinity) state.expiredEntry = timer.schedule(deadline, () => state.push(EXPIRED))
        if (body === singleBody) {
          // the common case, without the body's own result step
          return state.admitThen((number) =>
            number === undefined
              ? state.finish(undefined)
              : state.launchThen(number, "first", options.deadline, (flight) =>
                state.awaitThen(flight, undefined, (outcome) =>
                  state.finish(outcome)))
          )
        }
        return Effect.flatMap(body(state), (outcome) => state.finish(outcome))
      })
    })
)

/** @internal */
export class CurrentStrategy extends Context.Reference<CurrentStrategy>()("@aio-request/core/CurrentStrategy", {
  defaultValue: () => Option.none<Strategy.Strategy>()
}) {}

/** @internal */
export const withStrategy = dual<
  (strategy: Strategy.Strategy) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, strategy: Strategy.Strategy) => Effect.Effect<A, E, R>
>(2, (self, strategy) =>
  Effect.provideService(
    self,
    CurrentStrategy,
    Option.some(strategyOption("Strategy.withStrategy", "strategy", strategy))
  ))
