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
import type * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId_ from "effect/FiberId"
import type * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
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

// --- breaker lane: the circuit breaker's glue (Service, ConfigWrap, ConfigError, configError,
// RuntimeFiber and withFiber are word for word the core-share lane's: keep one copy) ---

/** A service key class: `class S extends Service<S, Shape>()("id") {}` (Effect 3's `Context.Tag`). */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id): Context.TagClass<Self, Id, Shape> =>
  Context.Tag(id)<Self, Shape>()

/** Config for each field of `A` (Effect 3's `Config.Config.Wrap`). */
export type ConfigWrap<A> = Config.Config.Wrap<A>

/** A configuration failure (Effect 3's `ConfigError.ConfigError`). */
export type ConfigError = ConfigError_.ConfigError

/** A value read from config that is invalid, saying why (`ConfigError.InvalidData`). */
export const configError = (message: string): ConfigError => ConfigError_.InvalidData([], message)

/** A running fiber (Effect 3's `Fiber.RuntimeFiber`). */
export type RuntimeFiber<A, E> = Fiber.RuntimeFiber<A, E>

/** Runs `f` with the current fiber (Effect 3's `Effect.withFiberRuntime`). */
export const withFiber = <A, E, R>(f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>) =>
  Effect.withFiberRuntime<A, E, R>(f)

/** Where `callerClock` keeps the last Clock it looked up, and what it was looked up in. */
export interface ClockCache {
  from: unknown
  clock: Clock.Clock | undefined
}

/**
 * The Clock of `fiber`, looked up again only when the fiber's default
 * services change (one shared object across calls, except under another
 * Clock such as TestClock): a `Context` lookup costs as much as a step.
 */
export const callerClock = (cache: ClockCache, fiber: RuntimeFiber<unknown, unknown>): Clock.Clock => {
  const services: Context.Context<DefaultServices.DefaultServices> = fiber.currentDefaultServices
  if (services !== cache.from || cache.clock === undefined) {
    cache.clock = Context.get(services, Clock.Clock)
    cache.from = services
  }
  return cache.clock
}

/** What `guardExit` runs when the effect ends, built once from a `settle` (see `exitGuard`). */
export interface ExitGuard {
  readonly onSuccess: (value: any) => Effect.Effect<any, any>
  readonly onFailure: (cause: Cause.Cause<any>) => Effect.Effect<any, any>
}

/**
 * The guard that calls `settle` with the exit of the effect it guards, in
 * the step the effect ends, and runs what `settle` returns (if anything)
 * before handing the exit on: one `matchCauseEffect` frame on Effect 3.
 */
export const exitGuard = (settle: (exit: Exit.Exit<any, any>) => Effect.Effect<void> | undefined): ExitGuard => {
  const pass = (exit: Exit.Exit<any, any>): Effect.Effect<any, any> => {
    const then = settle(exit)
    return then === undefined ? exit : Effect.zipRight(then, exit)
  }
  return { onSuccess: (value) => pass(Exit.succeed(value)), onFailure: (cause) => pass(Exit.failCause(cause)) }
}

/** `effect`, its exit passed through `guard` (interruptible as the caller is). */
export const guardExit = <A, E, R>(effect: Effect.Effect<A, E, R>, guard: ExitGuard): Effect.Effect<A, E, R> =>
  Effect.matchCauseEffect(effect, guard)

/** Whether `cause` holds a defect (Effect 3's `Cause.isDie`). */
export const hasDies: <E>(cause: Cause.Cause<E>) => boolean = Cause.isDie

/** Whether `cause` holds interruptions and nothing else (Effect 3's `Cause.isInterruptedOnly`). */
export const hasInterruptsOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.isInterruptedOnly

/** Recovers from any cause (Effect 3's `Effect.catchAllCause`). */
export const catchCause: <A, E, R, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAllCause

/** A counter of numbers (Effect 3's `Metric.Metric.Counter<number>`). */
export type Counter = Metric.Metric.Counter<number>

/** Adds one to `counter`'s series of `labels`, synchronously, in this step. */
export const incrementUnsafe = (counter: Counter, labels: Readonly<Record<string, string>>): void => {
  const tags: Array<MetricLabel.MetricLabel> = []
  for (const key in labels) tags.push(MetricLabel.make(key, labels[key]!))
  counter.unsafeUpdate(1, tags)
}

// --- strategy (lane strategy): what the run's coordinator does with fibers (internal/strategy/*) ---

/** Who interrupts a fiber: Effect 3's `FiberId`. */
export type FiberId = FiberId_.FiberId

/** The fiber that runs the calling code (call it only while an effect runs). */
export const currentFiber = (): RuntimeFiber<unknown, unknown> => Option.getOrThrow(Fiber.getCurrentFiber())

/** `fiber`'s id, to interrupt others as `fiber`. */
export const fiberIdOf = (fiber: RuntimeFiber<unknown, unknown>): FiberId => fiber.id()

/** `fiber`'s `Clock`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock =>
  Context.get(fiber.currentDefaultServices, Clock.Clock)

/** The value of `reference` in `fiber`'s context (its default when absent). */
export const referenceOf = <Self, A>(fiber: RuntimeFiber<unknown, unknown>, reference: Reference<Self, A>): A =>
  Context.get(fiber.currentContext as Context.Context<Self>, reference)

/** `fiber`'s context. */
export const contextOf = (fiber: RuntimeFiber<unknown, unknown>): Context.Context<never> => fiber.currentContext

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/**
 * Forks `effect` for the caller's fiber `caller`, interruptible (whatever the
 * caller is), with `context` as its context, then goes on with `f` on the
 * caller's fiber. Effect 3's attempt fiber starts at once, in this
 * call (`Runtime.runFork` with the caller's fiber refs and runtime flags,
 * interruptible): no fork step of the caller's, no step of its own to set its
 * context; it is not in the caller's children, as the run's coordinator
 * interrupts every attempt it started itself. Call it only while the run
 * executes.
 */
export const forkIn = <A, E, R, X, E2, R2>(
  caller: RuntimeFiber<unknown, unknown>,
  context: Context.Context<never>,
  effect: Effect.Effect<A, E, R>,
  f: (fiber: RuntimeFiber<A, E>) => Effect.Effect<X, E2, R2>
): Effect.Effect<X, E2, R | R2> => {
  const runtime = Runtime.make({
    context: context as Context.Context<R>,
    fiberRefs: caller.getFiberRefs(),
    runtimeFlags: RuntimeFlags.enable(
      (caller as unknown as { readonly currentRuntimeFlags: RuntimeFlags.RuntimeFlags }).currentRuntimeFlags,
      RuntimeFlags.Interruption
    )
  })
  return f(Runtime.runFork(runtime)(effect))
}

/** `fiber`'s exit if it has ended. */
export const pollExit = <A, E>(fiber: RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined =>
  fiber.unsafePoll() ?? undefined

/** Calls `observer` with `fiber`'s exit when it ends (at once if it has); returns what stops it. */
export const observe = <A, E>(fiber: RuntimeFiber<A, E>, observer: (exit: Exit.Exit<A, E>) => void): () => void => {
  fiber.addObserver(observer)
  return () => fiber.removeObserver(observer)
}

/** Interrupts `fiber` as `by`, without waiting for it. */
export const interruptAsFork = (fiber: RuntimeFiber<unknown, unknown>, by: FiberId): void =>
  fiber.unsafeInterruptAsFork(by)

/** Interrupts `fiber`, waits for it to end and returns its exit. */
export const interruptAndAwait = <A, E>(fiber: RuntimeFiber<A, E>): Effect.Effect<Exit.Exit<A, E>> =>
  Fiber.interrupt(fiber)

/** Whether `exit` is an interruption (Effect 3's `Exit.isInterrupted`). */
export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean => Exit.isInterrupted(exit)

/** Runs `effect` in a fiber of its own that outlives its parent (Effect 3's `Effect.forkDaemon`). */
export const forkDetach = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<unknown, never, R> =>
  Effect.forkDaemon(effect)

// --- core-share lane: references, services, config, fibers, schedules, the shared timer and cut ---

// The definitions from here to `callback` are also in the strategy lane's block, word for word
// (`callback` here is the general one, with E and R, which serves both): when both are merged,
// keep one copy of each.

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
