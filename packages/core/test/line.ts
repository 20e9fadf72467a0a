/**
 * The Effect 3 kit of the shared tests (test/shared): what they need from `effect` and
 * `@effect/vitest`, under names that mean the same on both lines. effect4/core/test/line.ts
 * is its Effect 4 twin. A shared test imports `effect` only through a kit.
 */
import {
  Cause,
  Chunk,
  Clock,
  Config,
  ConfigProvider,
  Duration,
  Effect,
  Exit as ExitModule,
  FiberId,
  Layer,
  Metric,
  MetricLabel,
  Option,
  Random,
  Schedule,
  Scheduler,
  TestClock
} from "effect"
import type { ConfigError, Exit, Scope } from "effect"
import type { Fiber } from "effect"

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
  Stream,
  TestClock
} from "effect"
export { refused } from "./support/refused.js"

/** Which line runs the test. */
export const line = 3 as 3 | 4

/** Forks `effect` as a child of the current fiber. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.RuntimeFiber<A, E>, never, R> =>
  Effect.fork(effect)

/** Recovers from every failure (`Effect.catchAll`). */
export const catchAll = Effect.catchAll

/** What a duration may be given as. */
export type DurationInput = import("effect").Duration.DurationInput

/** Lets the other fibers run once (`Effect.yieldNow()`). */
export const yieldNow: Effect.Effect<void> = Effect.yieldNow()

/** The error of a cause that is exactly one failure, if it is one (`Cause.isFailType`). */
export const onlyFailure = <E>(cause: Cause.Cause<E>): Option.Option<E> =>
  Cause.isFailType(cause) ? Option.some(cause.error) : Option.none()

/** The first failure of a cause, if any (`Cause.failureOption`). */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.failureOption

/** The error an invalid option throws (`Cause.IllegalArgumentException`). */
export const IllegalArgument = Cause.IllegalArgumentException

/** Whether `u` is the error an invalid option throws. */
export const isIllegalArgument: (u: unknown) => u is Cause.IllegalArgumentException = Cause.isIllegalArgumentException

/** Dies with an `Error` carrying `message` (`Effect.dieMessage`). */
export const dieMessage: (message: string) => Effect.Effect<never> = Effect.dieMessage

/** A duration from any input, if it is one (`Duration.decodeUnknown`). */
export const decodeDuration: (u: unknown) => Option.Option<Duration.Duration> = Duration.decodeUnknown

/** The duration of a valid input (`Duration.decode`). */
export const toDuration: (input: Duration.DurationInput) => Duration.Duration = Duration.decode

/** Runs `effect` once, then `times` more times (`Effect.repeatN`). */
export const repeatN = (times: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.repeatN(effect, times)

/** The first defect of a cause, if any (`Cause.dieOption`). */
export const defectOption: <E>(cause: Cause.Cause<E>) => Option.Option<unknown> = Cause.dieOption

/** Forks `effect` in the current scope (`Effect.forkScoped`). */
export const forkScoped = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<Fiber.RuntimeFiber<A, E>, never, R | Scope.Scope> => Effect.forkScoped(effect)

/** The count of a counter for the given labels (`Metric.taggedWithLabels`). */
export const counterCount = (
  counter: Metric.Metric.Counter<number>,
  labels: Readonly<Record<string, string>>
): Effect.Effect<number> =>
  Effect.map(
    Metric.value(Metric.taggedWithLabels(counter, Object.entries(labels).map(([k, v]) => MetricLabel.make(k, v)))),
    (state) => state.count
  )

/** The exit of `fiber` if it has ended (`Fiber.poll`). */
export const poll = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Effect.Effect<Option.Option<Exit.Exit<A, E>>> => fiber.poll

/** A duration read from config under `name` (`Config.duration`). */
export const configDuration = (name: string) => Config.duration(name)

/** An integer read from config under `name` (`Config.integer`). */
export const configInteger = (name: string) => Config.integer(name)

/** A number read from config under `name` (`Config.number`). */
export const configNumber = (name: string) => Config.number(name)

/** A layer making `values` the config provider (`Layer.setConfigProvider(ConfigProvider.fromMap(...))`). */
export const configValues = (values: Readonly<Record<string, string>>): Layer.Layer<never> =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values))))

/** Whether `error` is the config error of an invalid value (`ConfigError` of `_op` `InvalidData`). */
export const isInvalidConfigValue = (error: ConfigError.ConfigError): boolean => error._op === "InvalidData"

/** Runs `f` with the current fiber (`Effect.withFiberRuntime`). */
export const withFiber = <A, E, R>(f: (fiber: Fiber.RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>) =>
  Effect.withFiberRuntime<A, E, R>(f)

/** A synchronous reader of the current clock's time in milliseconds (`clock.unsafeCurrentTimeMillis`). */
export const clockReader: Effect.Effect<() => number> = Effect.map(
  Effect.clock,
  (clock) => () => clock.unsafeCurrentTimeMillis()
)

/** Interrupts `fiber` from outside any effect (`fiber.unsafeInterruptAsFork`). */
export const interruptUnsafe = (fiber: Fiber.RuntimeFiber<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId.none)

/**
 * The sleeps pending on the TestClock, as milliseconds from now (`TestClock.sleeps`); undefined
 * where the line's TestClock does not list them (Effect 4).
 */
export const sleepsAhead: Effect.Effect<ReadonlyArray<number>> | undefined = Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  return Chunk.toReadonlyArray(yield* TestClock.sleeps()).map((instant) => instant - now)
})

/** Whether `exit` ended by interruption (`Exit.isInterrupted`). */
export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean => ExitModule.isInterrupted(exit)

/** Runs `effect` with a random generator seeded with `seed` (`Effect.withRandom(Random.make(seed))`). */
export const withSeed = (seed: string | number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withRandom(effect, Random.make(seed))

/** `schedule`'s delays for at most `times` recurrences (`Schedule.intersect(Schedule.recurs(times))`). */
export const upTo = <Out, In, R>(schedule: Schedule.Schedule<Out, In, R>, times: number) =>
  schedule.pipe(Schedule.intersect(Schedule.recurs(times)))

// --- breaker lane ---

/** Every series of the counter named `name`: its labels and its count. */
export const counterSeries = (
  name: string
): Effect.Effect<ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly count: number }>> =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.flatMap((pair) =>
      pair.metricKey.name !== name ? [] : [{
        labels: Object.fromEntries(pair.metricKey.tags.map((tag) => [tag.key, tag.value])),
        count: Number((pair.metricState as unknown as { readonly count: number | bigint }).count)
      }]
    ))

// --- core-share lane: the shared timer's schedulers ---

/**
 * A scheduler that hands every task to the default one and counts them, and
 * `run`, which runs an effect on it (`Effect.withScheduler`).
 */
export const countingScheduler = () => {
  let tasks = 0
  const scheduler: Scheduler.Scheduler = {
    scheduleTask: (task, priority) => {
      tasks++
      Scheduler.defaultScheduler.scheduleTask(task, priority)
    },
    shouldYield: (fiber) => Scheduler.defaultScheduler.shouldYield(fiber)
  }
  return {
    run: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => Effect.withScheduler(effect, scheduler),
    tasks: (): number => tasks
  }
}
