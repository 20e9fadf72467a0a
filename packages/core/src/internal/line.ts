/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 3 line's; effect4/core/src/internal/line.ts is
 * its Effect 4 twin, with the same exports.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import * as ConfigError_ from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId_ from "effect/FiberId"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as Scheduler from "effect/Scheduler"

/** What a duration option accepts: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput

/** A per-fiber value with a default (`Context.Reference`): Effect 3's names the class `Self`. */
export type Reference<Self, A> = Context.Reference<Self, A>

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

// --- core-share lane: references, services, config, fibers, schedules, the shared timer and cut ---

// The definitions from here to `callback` are also in the strategy lane's block, word for word
// (`callback` here is the general one, with E and R, which serves both): when both are merged,
// keep one copy of each.

/** A running fiber, with the runtime's synchronous hooks: Effect 3's `RuntimeFiber`. */
export type RuntimeFiber<A, E> = Fiber.RuntimeFiber<A, E>

/** Who interrupts a fiber: Effect 3's `FiberId`. */
export type FiberId = FiberId_.FiberId

/** `fiber`'s id, to interrupt others as `fiber`. */
export const fiberIdOf = (fiber: RuntimeFiber<unknown, unknown>): FiberId => fiber.id()

/** `fiber`'s `Clock`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock =>
  Context.get(fiber.currentDefaultServices, Clock.Clock)

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** Calls `observer` with `fiber`'s exit when it ends (at once if it has); returns what stops it. */
export const observe = <A, E>(fiber: RuntimeFiber<A, E>, observer: (exit: Exit.Exit<A, E>) => void): () => void => {
  fiber.addObserver(observer)
  return () => fiber.removeObserver(observer)
}

/** Interrupts `fiber` as `by`, without waiting for it. */
export const interruptAsFork = (fiber: RuntimeFiber<unknown, unknown>, by: FiberId): void =>
  fiber.unsafeInterruptAsFork(by)

/** An effect resumed from a callback (Effect 3's `Effect.async`). */
export const callback: <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void) => void | Effect.Effect<void, never, R>
) => Effect.Effect<A, E, R> = Effect.async

// (end of the definitions shared with the strategy lane's block)

/** Interrupts `fiber` without waiting for it, as no fiber. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId_.none)

/** A `Context.Reference` class with a default: `class R extends Reference<R>()("id", { defaultValue }) {}`. */
export const Reference: <Self>() => <const Id extends string, A>(
  id: Id,
  options: { readonly defaultValue: () => A }
) => Context.ReferenceClass<Self, Id, A> = Context.Reference

/** What a layer providing the reference `Self` provides: `Self` on Effect 3. */
export type Provided<Self> = Self

/** A service key class: `class S extends Service<S, Shape>()("id") {}` (Effect 3's `Context.Tag`). */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id): Context.TagClass<Self, Id, Shape> =>
  Context.Tag(id)<Self, Shape>()

/** Config for each field of `A` (Effect 3's `Config.Config.Wrap`). */
export type ConfigWrap<A> = Config.Config.Wrap<A>

/** A configuration failure (Effect 3's `ConfigError.ConfigError`). */
export type ConfigError = ConfigError_.ConfigError

/** A value read from config that is invalid, saying why (`ConfigError.InvalidData`). */
export const configError = (message: string): ConfigError => ConfigError_.InvalidData([], message)

/** Effect's illegal-argument error (Effect 3's `Cause.IllegalArgumentException`). */
export const illegalArgument = (message: string): Error => new Cause.IllegalArgumentException(message)

/** `input` decoded as a duration, none if it is not one (Effect 3's `Duration.decodeUnknown`). */
export const decodeDuration: (input: unknown) => Option.Option<Duration.Duration> = Duration.decodeUnknown

/** Whether a typed failure of `cause` satisfies `predicate`. */
export const someFailure = <E>(cause: Cause.Cause<E>, predicate: (error: E) => boolean): boolean =>
  Chunk.some(Cause.failures(cause), predicate)

/**
 * A fresh stepper of `schedule` on a clock the caller keeps: `step(now, input)`
 * is the gap in milliseconds before the schedule's next recurrence, or
 * `undefined` once it is done.
 */
export const scheduleStepper = (
  schedule: Schedule.Schedule<unknown, number>
): Effect.Effect<(now: number, input: number) => Effect.Effect<number | undefined>> =>
  Effect.sync(() => {
    let state = schedule.initial
    return (now, input) =>
      Effect.map(schedule.step(now, input, state), ([next, _, decision]) => {
        if (ScheduleDecision.isDone(decision)) return undefined
        state = next
        return Math.max(now, Intervals.start(decision.intervals)) - now
      })
  })

/** Runs `f` with the current fiber (Effect 3's `Effect.withFiberRuntime`). */
export const withFiber = <A, E, R>(f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>) =>
  Effect.withFiberRuntime<A, E, R>(f)

/** The scheduler `fiber` runs on. */
export const schedulerOf = (fiber: RuntimeFiber<unknown, unknown>): Scheduler.Scheduler => fiber.currentScheduler

/** Forks `effect` as a child of the current fiber (Effect 3's `Effect.fork`, started by the scheduler). */
export const forkChild: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<RuntimeFiber<A, E>, never, R> =
  Effect.fork

/**
 * `exit` of the child `fiber` as its parent sees it once joined: on Effect 3
 * the child's fiber refs flow back first, as `Fiber.join` does.
 */
export const joined = <A, E>(fiber: RuntimeFiber<A, E>, exit: Exit.Exit<A, E>): Effect.Effect<A, E> =>
  Effect.zipRight(Fiber.inheritAll(fiber), exit)

/** Runs `effect` in a new root fiber on `scheduler`, started by the scheduler, not in this call. */
export const runForkLater = (effect: Effect.Effect<void>, scheduler: Scheduler.Scheduler): RuntimeFiber<void, never> =>
  Effect.runFork(effect, { scheduler, immediate: false })
