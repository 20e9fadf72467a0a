/**
 * A deadline is an instant on Effect's `Clock`, so `TestClock` moves it. It
 * travels through a program as the `CurrentDeadline` reference and never goes up:
 * nested deadlines take the earlier of the two.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Pipeable } from "effect/Pipeable"
import * as internal from "./internal/deadline.js"
import type { DurationInput, Reference, RuntimeFiber } from "./internal/line.js"

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
 * An instant, in milliseconds of `Clock.currentTimeMillis`. `Infinity` is a
 * deadline that never passes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deadline extends Pipeable {
  readonly [TypeId]: TypeId
  readonly epochMillis: number
}

/**
 * Chooses the deadline of one attempt from the request's deadline, the
 * attempt's number (from 0) and the number of attempts the strategy may send.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttemptDeadline {
  (context: AttemptDeadline.Context): Effect.Effect<Deadline>
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace AttemptDeadline {
  /**
   * @since 0.1.0
   */
  export interface Context {
    readonly deadline: Deadline
    readonly attempt: number
    readonly attempts: number
  }
}

/**
 * Fails an effect whose deadline passed before it finished.
 *
 * @since 0.1.0
 * @category errors
 */
export const DeadlineExceededError: typeof internal.DeadlineExceededError = internal.DeadlineExceededError

/**
 * @since 0.1.0
 * @category errors
 */
export type DeadlineExceededError = internal.DeadlineExceededError

/**
 * The deadline of the work in progress, if any. Default: none.
 *
 * @example
 * import { Deadline } from "@aio-request/core"
 * import { Effect, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const deadline = yield* Deadline.CurrentDeadline
 *   if (Option.isSome(deadline)) yield* Effect.log(yield* Deadline.remaining(deadline.value))
 * })
 * @since 0.1.0
 * @category references
 */
export const CurrentDeadline: Reference<internal.CurrentDeadline, Option.Option<Deadline>> = internal.CurrentDeadline

/**
 * A deadline `timeout` from now. A negative timeout gives an expired deadline.
 *
 * @example
 * const deadline = yield* Deadline.fromTimeout("5 seconds")
 * @since 0.1.0
 * @category constructors
 */
export const fromTimeout: (timeout: DurationInput) => Effect.Effect<Deadline> = internal.fromTimeout

/**
 * A deadline at `epochMillis` on the `Clock`.
 *
 * @example
 * const never = Deadline.unsafeMake(Infinity)
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake: (epochMillis: number) => Deadline = internal.unsafeMake

/**
 * @example
 * const left = (u: unknown) => Deadline.isDeadline(u) ? Deadline.remaining(u) : Effect.succeed(Duration.infinity)
 * @since 0.1.0
 * @category guards
 */
export const isDeadline: (u: unknown) => u is Deadline = internal.isDeadline

/**
 * The time left before the deadline, zero once it has passed.
 *
 * @example
 * const deadline = yield* Deadline.fromTimeout("2 seconds")
 * const left = yield* Deadline.remaining(deadline)
 * @since 0.1.0
 * @category getters
 */
export const remaining: (self: Deadline) => Effect.Effect<Duration.Duration> = internal.remaining

/**
 * Whether the deadline has passed.
 *
 * @example
 * const deadline = yield* Deadline.fromTimeout("2 seconds")
 * if (yield* Deadline.isExpired(deadline)) return yield* new Deadline.DeadlineExceededError({ reason: "expired" })
 * @since 0.1.0
 * @category getters
 */
export const isExpired: (self: Deadline) => Effect.Effect<boolean> = internal.isExpired

/**
 * The earlier of two deadlines.
 *
 * @example
 * const inherited = Deadline.unsafeMake(2_000)
 * const own = Deadline.unsafeMake(1_000)
 * const earlier = Deadline.min(inherited, own) // own
 * @since 0.1.0
 * @category combinators
 */
export const min: {
  (that: Deadline): (self: Deadline) => Deadline
  (self: Deadline, that: Deadline): Deadline
} = internal.min

/**
 * Cuts `effect` at an instant known beforehand: if it is still running when
 * `deadline` passes, it is interrupted (in the background: the failure is
 * delivered at the deadline, not when its finalizers end) and the result is a
 * `DeadlineExceededError` carrying `phase` and `subject`. Unlike `within`,
 * `CurrentDeadline` is left as it is. One fork per call; the deadline itself
 * is an entry in the clock's shared timer.
 *
 * @example
 * import { Deadline } from "@aio-request/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const deadline = yield* Deadline.fromTimeout("1 second")
 *   return yield* Effect.sleep("2 seconds").pipe(Deadline.cut(deadline, { phase: "body", subject: "GET /export" }))
 * })
 * // fails with "GET /export: deadline of 1s exceeded while reading the body"
 * @since 0.2.0
 * @category combinators
 */
export const cut: {
  (
    deadline: Deadline,
    options?: CutOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | DeadlineExceededError, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    deadline: Deadline,
    options?: CutOptions
  ): Effect.Effect<A, E | DeadlineExceededError, R>
} = internal.cut

/**
 * What a cut writes into the `DeadlineExceededError` it fails with.
 *
 * @since 0.2.0
 * @category models
 */
export interface CutOptions {
  /** Where the deadline ran out. */
  readonly phase?: "attempt" | "run" | "body" | undefined
  /** What was cut, for the message (for example `"GET http://host/path"`). */
  readonly subject?: string | undefined
}

/**
 * Runs `effect` with `CurrentDeadline` set to the earlier of the inherited
 * deadline and now + `timeout`; fails with `DeadlineExceededError` at that
 * deadline if `effect` is still running (and interrupts it).
 *
 * @example
 * import { Deadline } from "@aio-request/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.sleep("1 second").pipe(Deadline.within("500 millis"))
 * // fails with DeadlineExceededError after 500 millis
 * @since 0.1.0
 * @category combinators
 */
export const within: {
  (timeout: DurationInput): <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | DeadlineExceededError, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: DurationInput): Effect.Effect<
    A,
    E | DeadlineExceededError,
    R
  >
} = internal.within

/**
 * Calls `onExpiry` once `self` passes on the `Clock` of `fiber`, unless the
 * returned function is called first (calling it later, or twice, does
 * nothing). No fiber and no timer per call: every pending expiry on one
 * `Clock` (and scheduler) is an entry in one shared timer, the one
 * `Deadline.within` and `Strategy.run` use, served by a single fiber that
 * sleeps with `clock.sleep` (so `TestClock` drives it) on `fiber`'s
 * scheduler. A deadline that never passes schedules nothing; one already
 * passed fires soon after, in the timer's fiber.
 *
 * `onExpiry` runs inside the timer's fiber: it must only record the event
 * and resume or interrupt fibers (`fiber.unsafeInterruptAsFork` on Effect 3,
 * `fiber.interruptUnsafe` on Effect 4) or abort a signal,
 * never throw or run effects. For code that reacts to a deadline without a
 * fork of its own; to bound an effect, `within` is the safe form.
 *
 * @example
 * import { Deadline } from "@aio-request/core"
 * import { Effect, Fiber } from "effect"
 *
 * // a plain `fetch`, aborted at the deadline: an entry in the shared timer, no timer fiber
 * const fetchBefore = (url: string, deadline: Deadline.Deadline) =>
 *   Effect.scoped(Effect.gen(function*() {
 *     const controller = new AbortController()
 *     const response = yield* Effect.forkScoped(
 *       Effect.tryPromise(() => fetch(url, { signal: controller.signal }))
 *     )
 *     const cancel = Deadline.unsafeOnExpiry(deadline, response, () => controller.abort())
 *     return yield* Effect.ensuring(Fiber.join(response), Effect.sync(cancel))
 *   }))
 * @since 0.1.0
 * @category unsafe
 */
export const unsafeOnExpiry: (
  self: Deadline,
  fiber: RuntimeFiber<unknown, unknown>,
  onExpiry: () => void
) => () => void = internal.unsafeOnExpiry

/**
 * Every attempt gets the whole remaining deadline.
 *
 * @example
 * Strategy.sequential({ attemptDeadline: Deadline.passThrough })
 * @since 0.1.0
 * @category attempt deadlines
 */
export const passThrough: AttemptDeadline = internal.passThrough

/**
 * Attempt `i` of `n` gets remaining / (k − i), where k = min(attemptsToSplit ?? n, n);
 * once k − i ≤ 1 it gets all that remains (as in Python aio-request). A fast failure hands the
 * time it did not use on to the attempts after it.
 *
 * @example
 * Strategy.sequential({ attemptDeadline: Deadline.splitBetweenAttempts({ attemptsToSplit: 2 }) })
 * @since 0.1.0
 * @category attempt deadlines
 */
export const splitBetweenAttempts: (options?: { readonly attemptsToSplit?: number | undefined }) => AttemptDeadline =
  internal.splitBetweenAttempts
