/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 3 line's; effect4/opentelemetry/src/internal/line.ts
 * is its Effect 4 twin, with the same exports.
 *
 * What differs in more than names has a glue file per line instead:
 * `registry.ts` (how the scrape reads the metric registry) and `otlp.ts` (the
 * exporter: the OpenTelemetry SDK here, `effect/observability` on Effect 4).
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import type * as Scope from "effect/Scope"

/** What a duration option accepts: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput

/** The base of a service class: `class X extends Service<X, Shape>()("key") {}` (Effect 3's `Context.Tag`). */
export const Service = <Self, Shape>() => (key: string) => Context.Tag(key)<Self, Shape>()

/** An effect resumed by a callback (Effect 3's `Effect.async`). */
export const callback: <A, E = never>(
  register: (resume: (effect: Effect.Effect<A, E>) => void) => void | Effect.Effect<void>
) => Effect.Effect<A, E> = Effect.async

/** A layer of the service `tag` made by a scoped effect (Effect 3's `Layer.scoped`). */
export const scopedLayer = <Self, Shape, E>(
  tag: Context.Tag<Self, Shape>,
  effect: Effect.Effect<Shape, E, Scope.Scope>
): Layer.Layer<Self, E> => Layer.scoped(tag, effect)

/** A running fiber (Effect 3's `Fiber.RuntimeFiber`). */
export type RuntimeFiber<A, E> = Fiber.RuntimeFiber<A, E>

/** Forks effects from outside the runtime, with the services of the current one (Effect 3's `Runtime.runFork`). */
export const forker: Effect.Effect<<A, E>(effect: Effect.Effect<A, E>) => RuntimeFiber<A, E>> = Effect.map(
  Effect.runtime<never>(),
  (runtime) => (effect) => Runtime.runFork(runtime)(effect)
)

/** Whether `fiber` has ended. */
export const isDone = (fiber: RuntimeFiber<unknown, unknown>): boolean => fiber.unsafePoll() !== null

/** Interrupts `fiber` without waiting for it. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId.none)

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** Turns Effect's runtime metrics on for what is built and run under it. */
export const enableRuntimeMetrics: Layer.Layer<never> = RuntimeFlags.enableRuntimeMetrics

/** Effect's runtime metrics (`effect_fiber_*`): exported only when asked for. */
export const isRuntimeMetric = (name: string): boolean => name.startsWith("effect_fiber_")

/**
 * Gives the event loop back: a zero-millisecond sleep, which Effect 3 waits
 * for with a timer (a macrotask: Node runs it after at least 1 ms).
 */
export const giveBack: Effect.Effect<void> = Effect.sleep(0)
