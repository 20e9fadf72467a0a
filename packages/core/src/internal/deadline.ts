import * as kernel from "@aio-request/kernel/deadline"
import { format as formatMillis } from "@aio-request/kernel/duration"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Deadline from "../Deadline.js"
import {
  callback,
  clockOf,
  currentTimeMillis,
  decodeDuration,
  type DurationInput,
  fiberIdOf,
  forkChild,
  interruptAsFork,
  joined,
  observe,
  Reference,
  type RuntimeFiber,
  withFiber
} from "./line.js"
import { timerFor } from "./timer.js"
import * as validate from "./validate.js"

/**
 * The Effect glue of `Deadline`: the value, the Reference, the error, the
 * Clock reads and the cut. The arithmetic is the kernel's
 * (@aio-request/kernel/deadline).
 */

/** @internal */
export const TypeId: typeof Deadline.TypeId = Symbol.for("@aio-request/core/Deadline") as typeof Deadline.TypeId

class DeadlineImpl implements Deadline.Deadline {
  readonly [TypeId]: Deadline.TypeId = TypeId
  readonly epochMillis: number
  constructor(epochMillis: number) {
    this.epochMillis = epochMillis
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
  toString() {
    return `Deadline(${kernel.show(this.epochMillis)})`
  }
  toJSON() {
    return { _id: "Deadline", epochMillis: this.epochMillis }
  }
}

/** @internal */
export const unsafeMake = (epochMillis: number): Deadline.Deadline => new DeadlineImpl(kernel.epochMillis(epochMillis))

/** @internal */
export const isDeadline = (u: unknown): u is Deadline.Deadline => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const fromTimeoutAt = (now: number, timeout: DurationInput): Deadline.Deadline => {
  const millis = typeof timeout === "number" && timeout < 0
    ? 0
    : Option.match(decodeDuration(timeout), { onNone: () => 0, onSome: Duration.toMillis })
  return unsafeMake(kernel.after(now, millis))
}

/** @internal */
export const fromTimeout = (timeout: DurationInput): Effect.Effect<Deadline.Deadline> =>
  Effect.map(Clock.currentTimeMillis, (now) => fromTimeoutAt(now, timeout))

/** @internal */
export const remainingAt = (self: Deadline.Deadline, now: number): Duration.Duration => {
  const left = kernel.remaining(self.epochMillis, now)
  if (left === Infinity) return Duration.infinity
  return left > 0 ? Duration.millis(left) : Duration.zero
}

/** @internal */
export const remaining = (self: Deadline.Deadline): Effect.Effect<Duration.Duration> =>
  Effect.map(Clock.currentTimeMillis, (now) => remainingAt(self, now))

/** @internal */
export const isExpired = (self: Deadline.Deadline): Effect.Effect<boolean> =>
  Effect.map(Clock.currentTimeMillis, (now) => kernel.isExpired(self.epochMillis, now))

/** @internal */
export const min = dual<
  (that: Deadline.Deadline) => (self: Deadline.Deadline) => Deadline.Deadline,
  (self: Deadline.Deadline, that: Deadline.Deadline) => Deadline.Deadline
>(2, kernel.earlier)

// whole milliseconds: a split budget of 333.33… ms reads as 333ms; zero as 0ms
const formatBudget = (budget: Duration.Duration): string => formatMillis(Math.round(Duration.toMillis(budget)))

/** @internal */
export class DeadlineExceededError extends Data.TaggedError("DeadlineExceededError")<{
  readonly reason?: "expired" | "below-threshold" | undefined
  readonly budget?: Duration.Duration | undefined
  readonly phase?: "attempt" | "run" | "body" | undefined
  readonly subject?: string | undefined
  readonly attempt?: number | undefined
}> {
  override get message() {
    return kernel.exceededMessage({
      reason: this.reason,
      budget: this.budget === undefined ? undefined : formatBudget(this.budget),
      phase: this.phase,
      subject: this.subject,
      attempt: this.attempt
    })
  }
}

/** @internal */
export class CurrentDeadline extends Reference<CurrentDeadline>()("@aio-request/core/CurrentDeadline", {
  defaultValue: () => Option.none<Deadline.Deadline>()
}) {}

/** What a cut says about itself in the error it fails with. @internal */
export interface CutOptions {
  /**
   * Deliver the failure at the deadline and let the interruption complete in
   * the background (`true`), or wait for the interrupted effect's finalizers
   * first (`false`).
   */
  readonly disconnect: boolean
  readonly phase?: "attempt" | "run" | "body" | undefined
  readonly subject?: string | undefined
}

/**
 * Interrupts `effect` when `deadline` passes and fails with
 * `DeadlineExceededError` (its `budget` is what was left when the cut began).
 *
 * `effect` runs in a child fiber (`forkChild` of the line: on Effect 4 it
 * starts at once), the caller waits for the first of its exit and the
 * deadline, and the deadline is an entry in the clock's shared `Timer`: one
 * fork per cut, no timer fiber per cut (`Effect.timeout` forks twice). On
 * Effect 3 the effect's fiber refs flow back to the caller, as `Fiber.join`
 * does (`joined`). With `disconnect` the failure is delivered at that instant and the
 * interruption completes in the background, so a slow finalizer does not
 * delay the answer; without it, the failure waits for the interrupted
 * effect's finalizers (its resources are released first). Interrupting the
 * caller interrupts the effect and waits for it.
 *
 * @internal
 */
export const cutAt = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  deadline: Deadline.Deadline,
  options: CutOptions
): Effect.Effect<A, E | DeadlineExceededError, R> =>
  withFiber((parent) => {
    const at = deadline.epochMillis
    if (at === Infinity) return effect
    const clock = clockOf(parent)
    const now = currentTimeMillis(clock)
    const error = () =>
      new DeadlineExceededError({
        reason: "expired",
        budget: Duration.millis(kernel.remaining(at, now)),
        phase: options.phase,
        subject: options.subject
      })
    if (kernel.isExpired(at, now)) return Effect.fail(error())
    const timer = timerFor(clock, parent)
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(forkChild(restore(effect)), (work) =>
        restore(callback<A, E | DeadlineExceededError>((resume) => {
          let done = false
          const onWork = (exit: Exit.Exit<A, E>) => {
            if (done) {
              return
            }
            done = true
            timer.cancel(entry)
            resume(joined(work, exit))
          }
          const entry = timer.schedule(at, () => {
            if (done) {
              return
            }
            done = true
            removeObserver()
            if (options.disconnect) {
              interruptAsFork(work, fiberIdOf(parent))
              resume(Effect.fail(error()))
            } else {
              resume(Effect.andThen(Fiber.interrupt(work), Effect.fail(error())))
            }
          })
          const removeObserver = observe(work, onWork)
          return Effect.suspend(() => {
            done = true
            removeObserver()
            timer.cancel(entry)
            return Fiber.interrupt(work)
          })
        })))
    )
  })

/** @internal */
export const unsafeOnExpiry = (
  self: Deadline.Deadline,
  fiber: RuntimeFiber<unknown, unknown>,
  onExpiry: () => void
): () => void => {
  if (self.epochMillis === Infinity) return noop
  const timer = timerFor(clockOf(fiber), fiber)
  const entry = timer.schedule(self.epochMillis, onExpiry)
  return () => timer.cancel(entry)
}

const noop = (): void => {}

/** @internal */
export const cut = dual<
  (
    deadline: Deadline.Deadline,
    options?: Deadline.CutOptions
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | DeadlineExceededError, R>,
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    deadline: Deadline.Deadline,
    options?: Deadline.CutOptions
  ) => Effect.Effect<A, E | DeadlineExceededError, R>
>(
  (args) => Effect.isEffect(args[0]),
  (self, deadline, options) =>
    cutAt(self, deadline, { disconnect: true, phase: options?.phase, subject: options?.subject })
)

/** @internal */
export const within = dual<
  (timeout: DurationInput) => <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | DeadlineExceededError, R>,
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    timeout: DurationInput
  ) => Effect.Effect<A, E | DeadlineExceededError, R>
>(2, (self, timeout) => {
  // a negative timeout, however written, is an already expired deadline, as for fromTimeout
  validate.duration("Deadline.within", "timeout", timeout, { allowInfinite: true, clampNegative: true })
  return Effect.gen(function*() {
    const own = yield* fromTimeout(timeout)
    const inherited = yield* CurrentDeadline
    const deadline = Option.match(inherited, { onNone: () => own, onSome: (d) => min(d, own) })
    return yield* cutAt(Effect.provideService(self, CurrentDeadline, Option.some(deadline)), deadline, {
      disconnect: true,
      phase: undefined
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
      const share = kernel.splitShare(
        context.deadline.epochMillis,
        now,
        context.attempt,
        context.attempts,
        attemptsToSplit
      )
      return share === undefined ? context.deadline : unsafeMake(share)
    })
}
