/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 4 line's; packages/opentelemetry/src/internal/line.ts
 * is its Effect 3 twin, with the same exports.
 *
 * What differs in more than names has a glue file per line instead:
 * `registry.ts` (how the scrape reads the metric registry) and `otlp.ts` (the
 * exporter: `effect/observability` here, the OpenTelemetry SDK on Effect 3).
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import type * as Scope from "effect/Scope"

/** What a duration option accepts: Effect 4's `Duration.Input`. */
export type DurationInput = Duration.Input

/** The base of a service class: `class X extends Service<X, Shape>()("key") {}` (Effect 4's `Context.Service`). */
export const Service = <Self, Shape>() => (key: string) => Context.Service<Self, Shape>()(key)

/** An effect resumed by a callback (Effect 4's `Effect.callback`). */
export const callback: <A, E = never>(
  register: (resume: (effect: Effect.Effect<A, E>) => void) => void | Effect.Effect<void>
) => Effect.Effect<A, E> = Effect.callback

/** A layer of the service `tag` made by a scoped effect (Effect 4's `Layer.effect` closes the scope with the layer). */
export const scopedLayer = <Self, Shape, E>(
  tag: Context.Service<Self, Shape>,
  effect: Effect.Effect<Shape, E, Scope.Scope>
): Layer.Layer<Self, E> => Layer.effect(tag, effect)

/** A running fiber (Effect 4's `Fiber.Fiber`). */
export type RuntimeFiber<A, E> = Fiber.Fiber<A, E>

/** Forks effects from outside the runtime, with the services of the current context (`Effect.runForkWith`). */
export const forker: Effect.Effect<<A, E>(effect: Effect.Effect<A, E>) => RuntimeFiber<A, E>> = Effect.map(
  Effect.context<never>(),
  (context) => (effect) => Effect.runForkWith(context)(effect)
)

/** Whether `fiber` has ended. */
export const isDone = (fiber: RuntimeFiber<unknown, unknown>): boolean => fiber.pollUnsafe() !== undefined

/** Interrupts `fiber` without waiting for it. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void => fiber.interruptUnsafe()

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

/** Turns Effect's runtime metrics on for what is built and run under it. */
export const enableRuntimeMetrics: Layer.Layer<never> = Metric.enableRuntimeMetricsLayer

/**
 * Effect 4's runtime metrics (`child_fibers_active`, `child_fibers_started`,
 * `child_fiber_successes`, `child_fiber_failures`): exported only when asked for.
 */
export const isRuntimeMetric = (name: string): boolean => name.startsWith("child_fiber")

/**
 * Gives the event loop back: a one-millisecond sleep. Effect 4 turns a
 * zero-millisecond sleep into `yieldNow`, which its scheduler may run without
 * a turn of the event loop (a scrape of 3,000 label sets then let it turn
 * about 60 times in 2 s, stalls up to 240 ms); a timer of 1 ms is what
 * Effect 3's zero-millisecond sleep is on Node.
 */
export const giveBack: Effect.Effect<void> = Effect.sleep(1)
