/**
 * A `Strategy` decides how many attempts a request sends, when, and which
 * outcome wins: one attempt, sequential retries, or parallel hedged attempts.
 * Strategies are values: build one, then `run` it with an attempt effect, a
 * classifier and a deadline.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Option from "effect/Option"
import type { Pipeable } from "effect/Pipeable"
import type * as Deadline from "./Deadline.js"
import type * as Delays from "./Delays.js"
import type { Reference } from "./internal/line.js"
import * as byMethod_ from "./internal/strategy/byMethod.js"
import * as current from "./internal/strategy/current.js"
import * as parallel_ from "./internal/strategy/parallel.js"
import * as retryUntilDeadline_ from "./internal/strategy/retryUntilDeadline.js"
import * as run_ from "./internal/strategy/run.js"
import * as sequential_ from "./internal/strategy/sequential.js"
import * as single_ from "./internal/strategy/single.js"
import * as internal from "./internal/strategy/strategy.js"

/**
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * @since 0.1.0
 * @category models
 */
export interface Strategy extends Pipeable {
  readonly [TypeId]: TypeId
}

/**
 * What a classifier says of an attempt's outcome.
 *
 * @since 0.1.0
 * @category models
 */
export type Verdict = "accept" | "reject"

/**
 * @since 0.1.0
 * @category models
 */
export type AttemptKind = "first" | "hedge" | "retry"

/**
 * @since 0.1.0
 * @category models
 */
export interface AttemptContext {
  /** The attempt's number in this run, from 0. */
  readonly attempt: number
  /**
   * `"first"` for attempt 0; `"hedge"` for an attempt a parallel strategy
   * sends beside others; `"retry"` for one sent after an earlier one failed.
   */
  readonly kind: AttemptKind
  /** The attempt's own deadline (also in `CurrentDeadline` while it runs). */
  readonly deadline: Deadline.Deadline
}

/**
 * What became of one attempt, reported once per attempt by
 * `RunOptions.onAttempt` after the classifier has judged it.
 *
 * @since 0.2.0
 * @category models
 */
export interface AttemptOutcome<A, E> {
  /** The attempt's number in this run, from 0. */
  readonly attempt: number
  readonly kind: AttemptKind
  /**
   * The attempt's exit; a `DeadlineExceededError` failure when a deadline cut
   * it (`cut`).
   */
  readonly exit: Exit.Exit<A, E | Deadline.DeadlineExceededError>
  /** What `classify` said of `exit` (it runs once per attempt). */
  readonly verdict: Verdict
  /** From the attempt's start to its end or cut, on the `Clock`. */
  readonly duration: Duration.Duration
  /** Whether a deadline ended it: its own attempt deadline or the run's. */
  readonly cut: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RunOptions<A, E, R> {
  readonly attempt: (context: AttemptContext) => Effect.Effect<A, E, R>
  /** Judges each attempt's outcome; called exactly once per attempt that completed or was cut. */
  readonly classify: (exit: Exit.Exit<A, E | Deadline.DeadlineExceededError>) => Verdict
  /** The deadline of the whole run. */
  readonly deadline: Deadline.Deadline
  /** Names the kind of request for `Delays` (for HTTP: method and path template). */
  readonly key?: string | undefined
  /** The HTTP method, for `byMethod`. */
  readonly method?: string | undefined
  /**
   * Describes the work for error messages (for example `"GET http://host/path"`):
   * it becomes the `subject` of every `DeadlineExceededError` the run creates.
   *
   * @since 0.2.0
   */
  readonly subject?: string | undefined
  /**
   * Called exactly once for every attempt that completed, or that a deadline
   * cut (its own or the run's), right after `classify`; not for attempts
   * interrupted because another one won or because the caller went away.
   * Runs uninterruptibly; the run waits for it.
   *
   * @since 0.2.0
   */
  readonly onAttempt?: ((outcome: AttemptOutcome<A, E>) => Effect.Effect<void>) | undefined
  /**
   * Called once for every success value an attempt produced that is not the
   * run's result: a rejected success superseded by a later outcome, an answer
   * that arrived after the winner, anything held when the deadline passed or
   * the caller went away. Frees what the value holds (a response body, a
   * connection).
   *
   * @since 0.2.0
   */
  readonly release?: ((value: A) => Effect.Effect<void>) | undefined
  /**
   * Reads the pushback of a rejected outcome (as gRPC's retry pushback), at
   * `now` (Clock millis), right after `classify` and before `onAttempt`: the
   * milliseconds to wait before the next attempt, `"stop"` for none (as is a
   * negative or NaN wait), or `undefined` for no pushback. After a wait, the run
   * sends no attempt (retry, hedge or next round) before it has passed: it
   * replaces a shorter backoff and postpones a hedge. After a stop, or a wait
   * that reaches the deadline, no attempt is sent: the run ends at once with
   * that outcome, unless attempts still in flight (hedges) may answer. Not set:
   * nothing is read, nothing costs.
   *
   * @example
   * import { Strategy } from "@aio-request/core"
   *
   * const pushback: Strategy.RunOptions<{ readonly wait?: number }, never, never>["pushback"] = (exit) =>
   *   exit._tag === "Success" ? exit.value.wait : undefined
   * @since 0.3.0
   */
  readonly pushback?:
    | ((exit: Exit.Exit<A, E | Deadline.DeadlineExceededError>, now: number) => number | "stop" | undefined)
    | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Strategy {
  /**
   * @since 0.1.0
   */
  export interface SequentialOptions {
    /** Integer ≥ 1. Default 3. */
    readonly attempts?: number | undefined
    /** Default `Delays.linear()`. */
    readonly delays?: Delays.Delays | undefined
    /** Default `Deadline.passThrough`. */
    readonly attemptDeadline?: Deadline.AttemptDeadline | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface ParallelOptions {
    /** Integer ≥ 1. Default 3. */
    readonly attempts?: number | undefined
    /** Attempt n starts `delay(n)` after the first. Default `Delays.linear()`. */
    readonly delays?: Delays.Delays | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface RetryUntilDeadlineOptions {
    /** The wait before round n (n ≥ 1) of the base strategy. Default `Delays.linear()`. */
    readonly delays?: Delays.Delays | undefined
  }
}

/**
 * One attempt, no retries.
 *
 * @example
 * client.execute(request).pipe(Strategy.withStrategy(Strategy.single))
 * @since 0.1.0
 * @category constructors
 */
export const single: Strategy = single_.single

/**
 * Attempts one after another, stopping at the first accepted outcome. Before
 * attempt n it waits `delays(n)`; if the remaining deadline is shorter than
 * that wait it stops and returns the last outcome.
 *
 * @example
 * import { Deadline, Delays, Strategy } from "@aio-request/core"
 *
 * Strategy.sequential({
 *   attempts: 3,
 *   delays: Delays.linear({ multiplier: "50 millis" }),
 *   attemptDeadline: Deadline.splitBetweenAttempts()
 * })
 * @since 0.1.0
 * @category constructors
 */
export const sequential: (options?: Strategy.SequentialOptions) => Strategy = sequential_.sequential

/**
 * Hedging: attempt 0 starts at once, attempt n at `delays(n)` after the start,
 * or at once when an earlier attempt is rejected. The first accepted
 * outcome wins and the other attempts are interrupted; if none is accepted, the
 * first rejected outcome to complete is returned.
 *
 * @example
 * Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
 * @since 0.1.0
 * @category constructors
 */
export const parallel: (options?: Strategy.ParallelOptions) => Strategy = parallel_.parallel

/**
 * Runs `base` again, waiting `delays(round)` in between, until an outcome is
 * accepted; once the deadline passes the run fails with `DeadlineExceededError`.
 *
 * @example
 * Strategy.single.pipe(Strategy.retryUntilDeadline({ delays: Delays.constant("100 millis") }))
 * @since 0.1.0
 * @category combinators
 */
export const retryUntilDeadline: {
  (options?: Strategy.RetryUntilDeadlineOptions): (base: Strategy) => Strategy
  (base: Strategy, options?: Strategy.RetryUntilDeadlineOptions): Strategy
} = retryUntilDeadline_.retryUntilDeadline

/**
 * Picks the strategy by HTTP method (case-insensitive), `fallback` (default
 * `single`) for the others.
 *
 * @example
 * Strategy.byMethod({ GET: Strategy.parallel(), PUT: Strategy.sequential() })
 * @since 0.1.0
 * @category constructors
 */
export const byMethod: (strategies: Readonly<Record<string, Strategy>>, fallback?: Strategy) => Strategy =
  byMethod_.byMethod

/**
 * GET, HEAD and OPTIONS: `sequential()` (3 attempts, linear delays); other
 * methods: `single` (Python aio-request's split of safe and unsafe methods).
 *
 * @example
 * ResilientHttpClient.make({ endpoint: "http://users:8080/", strategy: Strategy.default })
 * @since 0.1.0
 * @category constructors
 */
export const defaultStrategy: Strategy = byMethod_.defaultStrategy

export {
  /**
   * @since 0.1.0
   * @category constructors
   */
  defaultStrategy as default
}

/**
 * @example
 * Strategy.isStrategy(Strategy.single) // true
 * @since 0.1.0
 * @category guards
 */
export const isStrategy: (u: unknown) => u is Strategy = internal.isStrategy

/**
 * Runs a strategy. Attempts are numbered from 0 and each runs with
 * `CurrentDeadline` set to its attempt deadline; an attempt still running at
 * that deadline is interrupted and its outcome is a `DeadlineExceededError`
 * failure, classified like any other. The last outcome is returned as it was.
 * When the run's deadline passes, the result is `DeadlineExceededError`,
 * delivered at the deadline, and every attempt still running is interrupted.
 *
 * @example
 * import { Deadline, Strategy } from "@aio-request/core"
 * import { Effect, Exit } from "effect"
 *
 * const callUpstream = (attempt: number) => Effect.succeed(`answer of attempt ${attempt}`)
 *
 * const program = Effect.gen(function*() {
 *   const deadline = yield* Deadline.fromTimeout("1 second")
 *   return yield* Strategy.run(Strategy.sequential(), {
 *     attempt: ({ attempt }) => callUpstream(attempt),
 *     classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
 *     deadline
 *   })
 * })
 * @since 0.1.0
 * @category running
 */
export const run: {
  <A, E, R>(options: RunOptions<A, E, R>): (self: Strategy) => Effect.Effect<A, E | Deadline.DeadlineExceededError, R>
  <A, E, R>(self: Strategy, options: RunOptions<A, E, R>): Effect.Effect<A, E | Deadline.DeadlineExceededError, R>
} = run_.run

/**
 * The strategy that overrides a client's own for the requests inside an
 * effect. Default: none.
 *
 * @example
 * const override = yield* Strategy.CurrentStrategy // Option<Strategy>
 * @since 0.1.0
 * @category references
 */
export const CurrentStrategy: Reference<current.CurrentStrategy, Option.Option<Strategy>> = current.CurrentStrategy

/**
 * Runs `effect` with `CurrentStrategy` set to `strategy`.
 *
 * @example
 * client.execute(request).pipe(Strategy.withStrategy(Strategy.parallel({ attempts: 2 })))
 * @since 0.1.0
 * @category combinators
 */
export const withStrategy: {
  (strategy: Strategy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, strategy: Strategy): Effect.Effect<A, E, R>
} = current.withStrategy

/**
 * `Strategy.SequentialOptions`, also reachable as `Strategy.Strategy.SequentialOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type SequentialOptions = Strategy.SequentialOptions

/**
 * `Strategy.ParallelOptions`, also reachable as `Strategy.Strategy.ParallelOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type ParallelOptions = Strategy.ParallelOptions

/**
 * `Strategy.RetryUntilDeadlineOptions`, also reachable as `Strategy.Strategy.RetryUntilDeadlineOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type RetryUntilDeadlineOptions = Strategy.RetryUntilDeadlineOptions
