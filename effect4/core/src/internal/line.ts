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
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scheduler from "effect/Scheduler"

/** What a duration option accepts: Effect 4's `Duration.Input`. */
export type DurationInput = Duration.Input

/** A per-fiber value with a default (`Context.Reference`): Effect 4's has no `Self`. */
export type Reference<_Self, A> = Context.Reference<A>

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

// --- breaker lane: the circuit breaker's glue (Service, ConfigWrap, ConfigError, configError,
// RuntimeFiber and withFiber are word for word the core-share lane's: keep one copy) ---

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

/** A running fiber (Effect 4's `Fiber.Fiber`). */
export type RuntimeFiber<A, E> = Fiber.Fiber<A, E>

/** Runs `f` with the current fiber (Effect 4's `Effect.withFiber`). */
export const withFiber = <A, E, R>(f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>) =>
  Effect.withFiber<A, E, R>(f)

/** Where `callerClock` keeps the last Clock it looked up, and what it was looked up in. */
export interface ClockCache {
  from: unknown
  clock: Clock.Clock | undefined
}

/**
 * The Clock of `fiber`, looked up again only when the fiber's context
 * changes (one shared object across calls, except under another Clock such
 * as TestClock): `getRef` is a `Context` lookup, a map's miss then the
 * Reference's default.
 */
export const callerClock = (cache: ClockCache, fiber: RuntimeFiber<unknown, unknown>): Clock.Clock => {
  const context = fiber.context
  if (context !== cache.from || cache.clock === undefined) {
    cache.clock = fiber.getRef(Clock.Clock)
    cache.from = context
  }
  return cache.clock
}

/** What `guardExit` runs when the effect ends, built once from a `settle` (see `exitGuard`). */
export type ExitGuard = (exit: Exit.Exit<any, any>) => Effect.Effect<void> | undefined

/**
 * The guard that calls `settle` with the exit of the effect it guards, in
 * the step the effect ends, and runs what `settle` returns (if anything)
 * before handing the exit on: on Effect 4 `settle` itself, for
 * `Effect.onExitPrimitive` (one frame, no step of its own unless `settle`
 * returns an effect).
 */
export const exitGuard = (settle: (exit: Exit.Exit<any, any>) => Effect.Effect<void> | undefined): ExitGuard => settle

/**
 * `effect`, its exit passed through `guard`, interruptible as the caller is
 * (`true`): an interruption of an interruptible caller skips it, as it would
 * a `matchCauseEffect` handler.
 */
export const guardExit = <A, E, R>(effect: Effect.Effect<A, E, R>, guard: ExitGuard): Effect.Effect<A, E, R> =>
  Effect.onExitPrimitive(effect, guard, true)

/** Whether `cause` holds a defect (Effect 4's `Cause.hasDies`). */
export const hasDies: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasDies

/** Whether `cause` holds interruptions and nothing else (Effect 4's `Cause.hasInterruptsOnly`). */
export const hasInterruptsOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

/** Recovers from any cause (Effect 4's `Effect.catchCause`). */
export const catchCause: <A, E, R, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchCause

/** A counter of numbers (Effect 4's `Metric.Counter<number>`). */
export type Counter = Metric.Counter<number>

/**
 * Adds one to `counter`'s series of `labels`, synchronously, in this step,
 * in the current fiber's metric registry (`Metric.MetricRegistry`); outside a
 * fiber, nothing.
 */
export const incrementUnsafe = (counter: Counter, labels: Readonly<Record<string, string>>): void => {
  const fiber = Fiber.getCurrent()
  if (fiber === undefined) return
  Metric.withAttributes(counter, labels).updateUnsafe(1, fiber.context)
}

// --- strategy (lane strategy): what the run's coordinator does with fibers (internal/strategy/*) ---

/** Who interrupts a fiber: Effect 4's fiber id, a number. */
export type FiberId = number

/** The fiber that runs the calling code (call it only while an effect runs). */
export const currentFiber = (): RuntimeFiber<unknown, unknown> => Fiber.getCurrent()!

/** `fiber`'s id, to interrupt others as `fiber`. */
export const fiberIdOf = (fiber: RuntimeFiber<unknown, unknown>): FiberId => fiber.id

/** `fiber`'s `Clock`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock => fiber.getRef(Clock.Clock)

/** The value of `reference` in `fiber`'s context (its default when absent). */
export const referenceOf = <Self, A>(fiber: RuntimeFiber<unknown, unknown>, reference: Reference<Self, A>): A =>
  fiber.getRef(reference)

/** `fiber`'s context. */
export const contextOf = (fiber: RuntimeFiber<unknown, unknown>): Context.Context<never> => fiber.context

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

/**
 * Forks `effect` for the caller's fiber `caller`, interruptible (whatever the
 * caller is), with `context` as its context, then goes on with `f` on the
 * caller's fiber. Effect 4's attempt fiber starts at
 * once, in this call, as `Effect.timeout`'s own racers do (`runForkWith`: no
 * step of the caller's, no context of the caller's to swap); it is not in the
 * caller's children, as the run's coordinator interrupts every attempt it
 * started itself. Call it only while the run executes.
 */
export const forkIn = <A, E, R, X, E2, R2>(
  _caller: RuntimeFiber<unknown, unknown>,
  context: Context.Context<never>,
  effect: Effect.Effect<A, E, R>,
  f: (fiber: RuntimeFiber<A, E>) => Effect.Effect<X, E2, R2>
): Effect.Effect<X, E2, R | R2> => f(Effect.runForkWith(context as Context.Context<R>)(effect))

/** `fiber`'s exit if it has ended. */
export const pollExit = <A, E>(fiber: RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined => fiber.pollUnsafe()

/** Calls `observer` with `fiber`'s exit when it ends (at once if it has); returns what stops it. */
export const observe = <A, E>(fiber: RuntimeFiber<A, E>, observer: (exit: Exit.Exit<A, E>) => void): () => void =>
  fiber.addObserver(observer)

/** Interrupts `fiber` as `by`, without waiting for it. */
export const interruptAsFork = (fiber: RuntimeFiber<unknown, unknown>, by: FiberId): void => fiber.interruptUnsafe(by)

/** Interrupts `fiber`, waits for it to end and returns its exit. */
export const interruptAndAwait = <A, E>(fiber: RuntimeFiber<A, E>): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.andThen(Fiber.interrupt(fiber), Fiber.await(fiber))

/** Whether `exit` is an interruption and nothing else. */
export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

/** Runs `effect` in a fiber of its own that outlives its parent (Effect 4's `Effect.forkDetach`). */
export const forkDetach = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<unknown, never, R> =>
  Effect.forkDetach(effect)

// --- core-share lane: references, services, config, fibers, schedules, the shared timer and cut ---

// The definitions from here to `callback` are also in the strategy lane's block, word for word
// (`callback` here is the general one, with E and R, which serves both): when both are merged,
// keep one copy of each.

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
