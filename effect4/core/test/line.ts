/**
 * The Effect 4 kit of the shared tests (packages/core/test/shared): what they need from
 * `effect` and `@effect/vitest`, under names that mean the same on both lines.
 * packages/core/test/line.ts is its Effect 3 twin.
 */
import {
  Cause,
  Clock,
  Config,
  ConfigProvider,
  Duration,
  Effect,
  Exit as ExitModule,
  Layer,
  Metric,
  Option,
  Random,
  Schedule,
  Scheduler
} from "effect"
import type { Exit, Fiber, Scope } from "effect"

export { assert, describe, expect, it } from "@effect/vitest"
export {
  Cause,
  Clock,
  Config,
  ConfigProvider,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Metric,
  Option,
  Random,
  Ref,
  Schedule,
  Stream
} from "effect"
export { TestClock } from "effect/testing"
export { refused } from "./support/refused.js"

/** Which line runs the test. */
export const line = 4 as 3 | 4

/** Forks `effect` as a child of the current fiber, started at once. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.forkChild(effect, { startImmediately: true })

/** Recovers from every failure (`Effect.catch`). */
export const catchAll = Effect.catch

/** What a duration may be given as. */
export type DurationInput = import("effect").Duration.Input

/** Lets the other fibers run once (`Effect.yieldNow`). */
export const yieldNow: Effect.Effect<void> = Effect.yieldNow

/** The error of a cause that is exactly one failure, if it is one (`Cause.isFailType` on Effect 3). */
export const onlyFailure = <E>(cause: Cause.Cause<E>): Option.Option<E> => {
  const reasons = cause.reasons
  return reasons.length === 1 && Cause.isFailReason(reasons[0]!) ? Option.some(reasons[0].error) : Option.none()
}

/** The first failure of a cause, if any (`Cause.failureOption` on Effect 3). */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.findErrorOption

/** The error an invalid option throws (`Cause.IllegalArgumentException` on Effect 3). */
export const IllegalArgument = Cause.IllegalArgumentError

/** Whether `u` is the error an invalid option throws. */
export const isIllegalArgument: (u: unknown) => u is Cause.IllegalArgumentError = Cause.isIllegalArgumentError

/** Dies with an `Error` carrying `message` (`Effect.dieMessage` on Effect 3). */
export const dieMessage = (message: string): Effect.Effect<never> => Effect.die(new Error(message))

/** A duration from any input, if it is one (`Duration.decodeUnknown` on Effect 3). */
export const decodeDuration = (u: unknown): Option.Option<Duration.Duration> => {
  try {
    return Duration.fromInput(u as Duration.Input)
  } catch {
    // Effect 4 throws on some non-durations (a throwing toStringTag, no prototype)
    return Option.none()
  }
}

/** The duration of a valid input (`Duration.decode` on Effect 3). */
export const toDuration: (input: Duration.Input) => Duration.Duration = Duration.fromInputUnsafe

/** Runs `effect` once, then `times` more times (`Effect.repeatN` on Effect 3). */
export const repeatN = (times: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.repeat(effect, { times })

/** The first defect of a cause, if any (`Cause.dieOption` on Effect 3). */
export const defectOption = <E>(cause: Cause.Cause<E>): Option.Option<unknown> => {
  const die = cause.reasons.find(Cause.isDieReason)
  return die === undefined ? Option.none() : Option.some(die.defect)
}

/** Forks `effect` in the current scope, started at once. */
export const forkScoped = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<Fiber.Fiber<A, E>, never, R | Scope.Scope> => Effect.forkScoped(effect, { startImmediately: true })

/** The count of a counter for the given attributes (labels on Effect 3). */
export const counterCount = (
  counter: Metric.Counter<number>,
  labels: Readonly<Record<string, string>>
): Effect.Effect<number> => Effect.map(Metric.value(Metric.withAttributes(counter, labels)), (state) => state.count)

/** The exit of `fiber` if it has ended (`Fiber.poll` on Effect 3). */
export const poll = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<Option.Option<Exit.Exit<A, E>>> =>
  Effect.sync(() => Option.fromUndefinedOr(fiber.pollUnsafe()))

/** A duration read from config under `name` (`Config.duration` on Effect 3). */
export const configDuration = (name: string) => Config.Duration(name)

/** An integer read from config under `name` (`Config.integer` on Effect 3). */
export const configInteger = (name: string) => Config.Int(name)

/** A number read from config under `name` (`Config.number` on Effect 3). */
export const configNumber = (name: string) => Config.Number(name)

/** A layer making `values` the config provider (`ConfigProvider.layer(ConfigProvider.fromUnknown(...))`). */
export const configValues = (values: Readonly<Record<string, string>>): Layer.Layer<never> =>
  ConfigProvider.layer(ConfigProvider.fromUnknown(values))

/** Whether `error` is the config error of an invalid value (a `ConfigError` from a `SourceError` here). */
export const isInvalidConfigValue = (error: Config.ConfigError): boolean =>
  error._tag === "ConfigError" && error.cause instanceof ConfigProvider.SourceError

/** Runs `f` with the current fiber (`Effect.withFiberRuntime` on Effect 3). */
export const withFiber = <A, E, R>(f: (fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<A, E, R>) =>
  Effect.withFiber<A, E, R>(f)

/** A synchronous reader of the current clock's time in milliseconds (`clock.currentTimeMillisUnsafe`). */
export const clockReader: Effect.Effect<() => number> = Effect.map(
  Clock.Clock,
  (clock) => () => clock.currentTimeMillisUnsafe()
)

/** Interrupts `fiber` from outside any effect (`fiber.interruptUnsafe`). */
export const interruptUnsafe = (fiber: Fiber.Fiber<unknown, unknown>): void => fiber.interruptUnsafe()

/**
 * The sleeps pending on the TestClock, as milliseconds from now (`TestClock.sleeps` on Effect 3);
 * undefined here: Effect 4's TestClock does not list them.
 */
export const sleepsAhead: Effect.Effect<ReadonlyArray<number>> | undefined = undefined

/** Whether `exit` ended by interruption (`Exit.isInterrupted` on Effect 3). */
export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean => ExitModule.hasInterrupts(exit)

/** Runs `effect` with a random generator seeded with `seed` (`Random.withSeed`). */
export const withSeed = (seed: string | number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Random.withSeed(effect, seed)

/** `schedule`'s delays for at most `times` recurrences (`Schedule.intersect(Schedule.recurs(times))` on Effect 3). */
export const upTo = <Out, In, E, R>(schedule: Schedule.Schedule<Out, In, E, R>, times: number) =>
  Schedule.max([schedule, Schedule.recurs(times)])

// --- breaker lane ---

/** Every series of the counter named `name`: its labels and its count. */
export const counterSeries = (
  name: string
): Effect.Effect<ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly count: number }>> =>
  Effect.map(
    Metric.snapshot,
    (snapshots) =>
      snapshots.flatMap((snapshot) =>
        snapshot.id !== name || snapshot.type !== "Counter" ? [] : [{
          labels: { ...snapshot.attributes },
          count: Number(snapshot.state.count)
        }]
      )
  )

// --- core-share lane: the shared timer's schedulers ---

/**
 * A scheduler that hands every task to a default one and counts them, and
 * `run`, which runs an effect on it (the `Scheduler.Scheduler` reference).
 */
export const countingScheduler = () => {
  let tasks = 0
  const base = new Scheduler.MixedScheduler()
  const scheduler: Scheduler.Scheduler = {
    executionMode: base.executionMode,
    shouldYield: (fiber) => base.shouldYield(fiber),
    makeDispatcher: () => {
      const dispatcher = base.makeDispatcher()
      return {
        scheduleTask: (task, priority) => {
          tasks++
          dispatcher.scheduleTask(task, priority)
        },
        flush: () => dispatcher.flush()
      }
    }
  }
  return {
    run: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.provideService(effect, Scheduler.Scheduler, scheduler),
    tasks: (): number => tasks
  }
}
