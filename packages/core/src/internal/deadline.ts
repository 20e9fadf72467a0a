import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Deadline from "../Deadline.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: typeof Deadline.TypeId = Symbol.for("@aio-request/core/Deadline") as typeof Deadline.TypeId

class DeadlineImpl implements Deadline.Deadline {
  readonly [TypeId]: Deadline.TypeId = TypeId
  constructor(readonly epochMillis: number) {}
  pipe() {
    return pipeArguments(this, arguments)
  }
  toString() {
    return `Deadline(${Number.isFinite(this.epochMillis) ? new Date(this.epochMillis).toISOString() : "never"})`
  }
  toJSON() {
    return { _id: "Deadline", epochMillis: this.epochMillis }
  }
}

/** @internal */
export const unsafeMake = (epochMillis: number): Deadline.Deadline =>
  new DeadlineImpl(Number.isNaN(epochMillis) ? 0 : epochMillis)

/** @internal */
export const isDeadline = (u: unknown): u is Deadline.Deadline => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const fromTimeoutAt = (now: number, timeout: Duration.DurationInput): Deadline.Deadline => {
  const millis = typeof timeout === "number" && timeout < 0
    ? 0
    : Option.match(Duration.decodeUnknown(timeout), { onNone: () => 0, onSome: Duration.toMillis })
  return unsafeMake(now + Math.max(0, millis))
}

/** @internal */
export const fromTimeout = (timeout: Duration.DurationInput): Effect.Effect<Deadline.Deadline> =>
  Effect.map(Clock.currentTimeMillis, (now) => fromTimeoutAt(now, timeout))

/** @internal */
export const remainingAt = (self: Deadline.Deadline, now: number): Duration.Duration => {
  const left = self.epochMillis - now
  if (left === Infinity) return Duration.infinity
  return left > 0 ? Duration.millis(left) : Duration.zero
}

/** @internal */
export const remaining = (self: Deadline.Deadline): Effect.Effect<Duration.Duration> =>
  Effect.map(Clock.currentTimeMillis, (now) => remainingAt(self, now))

/** @internal */
export const isExpired = (self: Deadline.Deadline): Effect.Effect<boolean> =>
  Effect.map(Clock.currentTimeMillis, (now) => now >= self.epochMillis)

/** @internal */
export const min = dual<
  (that: Deadline.Deadline) => (self: Deadline.Deadline) => Deadline.Deadline,
  (self: Deadline.Deadline, that: Deadline.Deadline) => Deadline.Deadline
>(2, (self, that) => self.epochMillis <= that.epochMillis ? self : that)

/** @internal */
export class DeadlineExceededError extends Data.TaggedError("DeadlineExceededError")<{
  readonly reason?: "expired" | "below-threshold" | undefined
}> {
  override get message() {
    return this.reason === "below-threshold"
      ? "the remaining deadline is below the low-timeout threshold"
      : "the deadline has passed"
  }
}

/** @internal */
export class CurrentDeadline extends Context.Reference<CurrentDeadline>()("@aio-request/core/CurrentDeadline", {
  defaultValue: () => Option.none<Deadline.Deadline>()
}) {}

/**
 * Interrupts `effect` when `deadline` passes and fails with
 * `DeadlineExceededError`. With `disconnect`, the failure is delivered at that
 * instant and the interruption completes in the background, so a slow
 * finalizer does not delay the answer; without it, the failure waits for the
 * interrupted effect's finalizers (its resources are released first).
 *
 * @internal
 */
export const cutAt = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  deadline: Deadline.Deadline,
  options: { readonly disconnect: boolean }
): Effect.Effect<A, E | DeadlineExceededError, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const left = remainingAt(deadline, now)
    if (!Duration.isFinite(left)) return effect
    if (Duration.toMillis(left) <= 0) return Effect.fail(new DeadlineExceededError({ reason: "expired" }))
    return race(effect, left, options.disconnect)
  })

/**
 * `effect` in one child fiber, the timer in another, and the caller waiting
 * for whichever ends first: two forks, where `Effect.timeoutFail` over
 * `Effect.disconnect` takes three (a fork costs more than everything else
 * here). The loser is interrupted; the winner's fiber refs are inherited, as
 * `Fiber.join` would.
 */
const race = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  left: Duration.Duration,
  disconnect: boolean
): Effect.Effect<A, E | DeadlineExceededError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      Effect.fork(restore(effect)),
      (work) =>
        Effect.flatMap(Effect.fork(Effect.interruptible(Effect.sleep(left))), (timer) => {
          const first = Effect.async<Exit.Exit<A, E> | undefined>((resume) => {
            const onWork = (exit: Exit.Exit<A, E>) => resume(Effect.succeed(exit))
            const onTimer = () => resume(Effect.succeed(undefined))
            work.addObserver(onWork)
            timer.addObserver(onTimer)
            return Effect.sync(() => {
              work.removeObserver(onWork)
              timer.removeObserver(onTimer)
            })
          })
          return restore(first).pipe(
            Effect.onInterrupt(() => Effect.zipRight(Fiber.interruptFork(timer), Fiber.interrupt(work))),
            Effect.flatMap((exit): Effect.Effect<A, E | DeadlineExceededError> => {
              if (exit === undefined) {
                const expired = Effect.fail(new DeadlineExceededError({ reason: "expired" }))
                return disconnect
                  ? Effect.zipRight(Fiber.interruptFork(work), expired)
                  : Effect.zipRight(Fiber.interrupt(work), expired)
              }
              return Effect.zipRight(
                Effect.zipRight(Fiber.interruptFork(timer), Fiber.inheritAll(work)),
                exit
              )
            })
          )
        })
    )
  )

/** @internal */
export const within = dual<
  (timeout: Duration.DurationInput) => <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | DeadlineExceededError, R>,
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    timeout: Duration.DurationInput
  ) => Effect.Effect<A, E | DeadlineExceededError, R>
>(2, (self, timeout) => {
  // a negative number is an already expired deadline, as for fromTimeout
  if (typeof timeout !== "number" || !(timeout < 0)) {
    validate.duration("Deadline.within", "timeout", timeout, { allowInfinite: true })
  }
  return Effect.gen(function*() {
    const own = yield* fromTimeout(timeout)
    const inherited = yield* CurrentDeadline
    const deadline = Option.match(inherited, { onNone: () => own, onSome: (d) => min(d, own) })
    return yield* cutAt(Effect.provideService(self, CurrentDeadline, Option.some(deadline)), deadline, {
      disconnect: true
    })
  })
})

/** @internal */
export const passThrough: Deadline.AttemptDeadline = (context) => Effect.succeed(context.deadline)

/** @internal */
export const splitBetweenAttempts = (
  options?: { readonly attemptsToSplit?: number | undefined }
): Deadline.AttemptDeadline => {
  validate.optionsBag("Deadline.splitBetweenAttempts", options)
  const attemptsToSplit = options?.attemptsToSplit === undefined
    ? undefined
    : validate.integer("Deadline.splitBetweenAttempts", "attemptsToSplit", options.attemptsToSplit, 2)
  return (context) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const k = Math.min(attemptsToSplit ?? context.attempts, context.attempts)
      const left = context.deadline.epochMillis - now
      if (k - context.attempt <= 1 || !Number.isFinite(left) || left <= 0) return context.deadline
      return unsafeMake(now + left / (k - context.attempt))
    })
}
