/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 4 line's; packages/core/src/internal/line.ts is
 * its Effect 3 twin, with the same exports.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scheduler from "effect/Scheduler"

/** What a duration option accepts: Effect 4's `Duration.Input`. */
export type DurationInput = Duration.Input

/** A per-fiber value with a default (`Context.Reference`): Effect 4's has no `Self`. */
export type Reference<_Self, A> = Context.Reference<A>

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

// --- core-share lane: references, services, config, fibers, schedules, the shared timer and cut ---

// The definitions from here to `callback` are also in the strategy lane's block, word for word
// (`callback` here is the general one, with E and R, which serves both): when both are merged,
// keep one copy of each.

/** A running fiber, with the runtime's synchronous hooks: Effect 4's `Fiber`. */
export type RuntimeFiber<A, E> = Fiber.Fiber<A, E>

/** Who interrupts a fiber: Effect 4's fiber id, a number. */
export type FiberId = number

/** `fiber`'s id, to interrupt others as `fiber`. */
export const fiberIdOf = (fiber: RuntimeFiber<unknown, unknown>): FiberId => fiber.id

/** `fiber`'s `Clock`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock => fiber.getRef(Clock.Clock)

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

/** Calls `observer` with `fiber`'s exit when it ends (at once if it has); returns what stops it. */
export const observe = <A, E>(fiber: RuntimeFiber<A, E>, observer: (exit: Exit.Exit<A, E>) => void): () => void =>
  fiber.addObserver(observer)

/** Interrupts `fiber` as `by`, without waiting for it. */
export const interruptAsFork = (fiber: RuntimeFiber<unknown, unknown>, by: FiberId): void => fiber.interruptUnsafe(by)

/** An effect resumed from a callback (Effect 4's `Effect.callback`). */
export const callback: <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void) => void | Effect.Effect<void, never, R>
) => Effect.Effect<A, E, R> = Effect.callback

// (end of the definitions shared with the strategy lane's block)

/** Interrupts `fiber` without waiting for it, as no fiber. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void => fiber.interruptUnsafe()

/**
 * A `Context.Reference` class with a default: `class R extends Reference<R>()("id", { defaultValue }) {}`
 * (Effect 4's `Context.Reference` is itself a class, keyed by `id`; `Self` names nothing).
 */
export const Reference = <_Self>() =>
<const Id extends string, A>(
  id: Id,
  options: { readonly defaultValue: () => A }
): Context.Reference<A> => Context.Reference(id, options)

/** What a layer providing the reference `Self` provides: nothing on Effect 4 (a Reference is not a service). */
export type Provided<_Self> = never

/** A service key class: `class S extends Service<S, Shape>()("id") {}` (Effect 4's `Context.Service`). */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id): Context.ServiceClass<Self, Id, Shape> =>
  Context.Service<Self, Shape>()(id)

/** Config for each field of `A` (Effect 4's `Config.Wrap`). */
export type ConfigWrap<A> = Config.Wrap<A>

/** A configuration failure (Effect 4's `Config.ConfigError`). */
export type ConfigError = Config.ConfigError

/** A value read from config that is invalid, saying why (a `ConfigError` of a `SourceError`). */
export const configError = (message: string): ConfigError =>
  new Config.ConfigError(new ConfigProvider.SourceError({ message }))

/** Effect's illegal-argument error (Effect 4's `Cause.IllegalArgumentError`). */
export const illegalArgument = (message: string): Error => new Cause.IllegalArgumentError(message)

/**
 * `input` decoded as a duration, none if it is not one: `Duration.fromInput`,
 * which throws on some objects that are not durations (one whose
 * `Symbol.toStringTag` getter throws, one without a prototype).
 */
export const decodeDuration = (input: unknown): Option.Option<Duration.Duration> => {
  try {
    return Duration.fromInput(input as Duration.Input)
  } catch {
    return Option.none()
  }
}

/** Whether a typed failure of `cause` satisfies `predicate`. */
export const someFailure = <E>(cause: Cause.Cause<E>, predicate: (error: E) => boolean): boolean =>
  cause.reasons.some((reason) => Cause.isFailReason(reason) && predicate(reason.error))

/**
 * A fresh stepper of `schedule` on a clock the caller keeps: `step(now, input)`
 * is the gap in milliseconds before the schedule's next recurrence, or
 * `undefined` once it is done (the step's only failure here).
 */
export const scheduleStepper = (
  schedule: Schedule.Schedule<unknown, number>
): Effect.Effect<(now: number, input: number) => Effect.Effect<number | undefined>> =>
  Effect.map(Schedule.toStep(schedule), (step) => (now, input) =>
    Effect.match(step(now, input), {
      onFailure: () => undefined,
      onSuccess: ([_, delay]) => Duration.toMillis(delay)
    }))

/** Runs `f` with the current fiber (Effect 4's `Effect.withFiber`). */
export const withFiber = <A, E, R>(f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>) =>
  Effect.withFiber<A, E, R>(f)

/** The scheduler `fiber` runs on. */
export const schedulerOf = (fiber: RuntimeFiber<unknown, unknown>): Scheduler.Scheduler =>
  fiber.getRef(Scheduler.Scheduler)

/** Forks `effect` as a child of the current fiber, started at once (`startImmediately`: no scheduler round). */
export const forkChild = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<RuntimeFiber<A, E>, never, R> =>
  Effect.forkChild(effect, { startImmediately: true })

/**
 * `exit` of the child `fiber` as its parent sees it once joined: on Effect 4
 * a child's References never flow back to its parent, so it is `exit`.
 */
export const joined = <A, E>(_fiber: RuntimeFiber<A, E>, exit: Exit.Exit<A, E>): Effect.Effect<A, E> => exit

/**
 * Runs `effect` in a new root fiber on `scheduler`, not in this call:
 * `runFork` evaluates at once, so the fiber yields first.
 */
export const runForkLater = (effect: Effect.Effect<void>, scheduler: Scheduler.Scheduler): RuntimeFiber<void, never> =>
  Effect.runFork(Effect.andThen(Effect.yieldNow, effect), { scheduler })
