/**
 * A circuit breaker per scope (Python aio-request's `DefaultCircuitBreaker`): a rolling window
 * of outcomes opens the circuit when enough of them fail; while open, calls
 * fail at once; after `breakDuration` one probe decides between closing and
 * opening again.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/circuitBreaker.js"
import type { ConfigError, ConfigWrap, Counter, DurationInput } from "./internal/line.js"
import * as metrics from "./internal/metrics.js"

/**
 * @since 0.1.0
 * @category models
 */
export type State = "closed" | "open" | "half-open"

/**
 * Raised, without running the effect, while the circuit of `scope` is open.
 *
 * @since 0.1.0
 * @category errors
 */
export const CircuitBreakerOpenError: typeof internal.CircuitBreakerOpenError = internal.CircuitBreakerOpenError

/**
 * @since 0.1.0
 * @category errors
 */
export type CircuitBreakerOpenError = internal.CircuitBreakerOpenError

/**
 * @since 0.1.0
 * @category tags
 */
export const CircuitBreaker: typeof internal.CircuitBreaker = internal.CircuitBreaker

/**
 * @since 0.1.0
 * @category tags
 */
export type CircuitBreaker = internal.CircuitBreaker

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace CircuitBreaker {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /**
     * Runs `effect` under the circuit of `scope`; `isFailure` says which
     * outcomes count as failures. Fails with `CircuitBreakerOpenError`
     * (without running `effect`) while the circuit is open.
     */
    readonly execute: <A, E, R>(
      scope: string,
      effect: Effect.Effect<A, E, R>,
      isFailure: (exit: Exit.Exit<A, E>) => boolean
    ) => Effect.Effect<A, E | CircuitBreakerOpenError, R>
    /** The state of every scope kept. */
    readonly state: Effect.Effect<ReadonlyMap<string, State>>
    /** The state of one scope ("closed" for a scope not kept), without copying the others. */
    readonly stateOf: (scope: string) => Effect.Effect<State>
    /**
     * Every state change of every scope, in order, from the moment the stream
     * is run (a `PubSub` subscription per run).
     */
    readonly changes: Stream.Stream<StateChange>
  }

  /**
   * One transition of one scope: closed → open, open → half-open (a probe
   * starts), half-open → closed (the probe succeeded), half-open → open (the
   * probe failed, or was interrupted: then the next caller probes at once).
   *
   * @since 0.1.0
   */
  export interface StateChange {
    readonly scope: string
    readonly from: State
    readonly to: State
  }

  /**
   * The options that can be read from `Config` (see `layerConfig`).
   *
   * @since 0.1.0
   */
  export interface ConfigOptions {
    /** How long the circuit stays open before one probe is let through. Positive. */
    readonly breakDuration: DurationInput
    /** The rolling window of outcomes. Positive. */
    readonly samplingDuration: DurationInput
    /** The fewest outcomes in the window that can open the circuit. Integer ≥ 1. */
    readonly minimumThroughput: number
    /** The failure ratio in the window that opens the circuit. In (0, 1). */
    readonly failureThreshold: number
    /** How many buckets the window is split into (it rolls by one bucket). Integer ≥ 1. Default 10. */
    readonly windowsCount?: number | undefined
    /**
     * The most scopes kept (integer ≥ 1, default 10,000). A new scope beyond
     * the bound first evicts, down to 90% of it: closed scopes with no outcome
     * in their window, then other closed scopes, then (only if every scope is
     * open or half-open) the oldest scopes whatever their state. Memory is
     * O(maxScopes × windowsCount).
     */
    readonly maxScopes?: number | undefined
    /**
     * The most distinct `scope` labels this breaker gives
     * `CircuitBreaker.transitions` (integer ≥ 0, default 100): the first ones
     * are counted under their own name, every later scope under
     * `scope="<other>"`. The metric registry keeps every series it ever saw,
     * so this bounds the counter's memory as `maxScopes` bounds the state.
     */
    readonly maxScopeLabels?: number | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface Options extends ConfigOptions {
    /**
     * Called, after the transition, for every state change (its failures and
     * defects are logged and ignored). The same changes are on `changes`.
     */
    readonly onStateChange?: ((change: StateChange) => Effect.Effect<void>) | undefined
  }
}

/**
 * Builds a circuit breaker; its state (one circuit per scope) lives in a `Ref`
 * of this instance, its time comes from `Clock`.
 *
 * Per scope, outcomes are counted in a rolling window of `samplingDuration`
 * split into `windowsCount` buckets. A failure opens the circuit when the
 * window holds at least `minimumThroughput` outcomes and failures / outcomes ≥
 * `failureThreshold`. While open, `execute` fails at once with
 * `CircuitBreakerOpenError` (`retryAfter`: the rest of the break; during a
 * probe: `breakDuration`). After `breakDuration` exactly one caller probes
 * (half-open) while the others keep failing fast; a successful probe closes
 * the circuit with a fresh window, a failed one opens it for another
 * `breakDuration`, an interrupted one lets the next caller probe.
 *
 * A defect always counts as a failure (and is re-raised unchanged); an
 * interrupted call (say, a losing hedge) counts as nothing; an `isFailure`
 * that throws counts as a failure.
 *
 * Invalid options throw `IllegalArgumentException` naming the option.
 *
 * @example
 * import { CircuitBreaker } from "@aio-request/core"
 * import { Effect, Exit } from "effect"
 *
 * const callInventory = Effect.succeed({ sku: "A-1", inStock: 3 })
 *
 * const program = Effect.gen(function*() {
 *   const breaker = yield* CircuitBreaker.make({
 *     breakDuration: "5 seconds",
 *     samplingDuration: "10 seconds",
 *     minimumThroughput: 10,
 *     failureThreshold: 0.5
 *   })
 *   return yield* breaker.execute("inventory", callInventory, Exit.isFailure)
 * })
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: CircuitBreaker.Options) => Effect.Effect<CircuitBreaker.Service> = internal.make

/**
 * Provides `CircuitBreaker` built by `make(options)`.
 *
 * @example
 * import { CircuitBreaker } from "@aio-request/core"
 *
 * const BreakerLive = CircuitBreaker.layer({
 *   breakDuration: "5 seconds",
 *   samplingDuration: "10 seconds",
 *   minimumThroughput: 10,
 *   failureThreshold: 0.5
 * })
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: CircuitBreaker.Options) => Layer.Layer<CircuitBreaker> = internal.layer

/**
 * Provides `CircuitBreaker` with its options read from `Config`; invalid
 * values fail the layer with a `ConfigError` naming the option.
 *
 * @example
 * import { CircuitBreaker } from "@aio-request/core"
 * import { Config, Duration } from "effect"
 *
 * // `threshold` as your app reads it: `Config.number("BREAKER_THRESHOLD")` on
 * // Effect 3, `Config.Number("BREAKER_THRESHOLD")` on Effect 4 (likewise
 * // `Config.duration` / `Config.Duration`, `Config.integer` / `Config.Int`)
 * const breakerLive = (threshold: Config.Config<number>) =>
 *   CircuitBreaker.layerConfig({
 *     breakDuration: Config.succeed(Duration.seconds(5)),
 *     samplingDuration: Config.succeed(Duration.seconds(10)),
 *     minimumThroughput: Config.succeed(10),
 *     failureThreshold: threshold
 *   })
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: (
  config: ConfigWrap<CircuitBreaker.ConfigOptions>,
  options?: { readonly onStateChange?: ((change: CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined }
) => Layer.Layer<CircuitBreaker, ConfigError> = internal.layerConfig

/**
 * A breaker that never opens: `execute` runs the effect as it is.
 *
 * @example
 * ResilientHttpClient.make({ endpoint: "http://inventory:8080/", circuitBreaker: CircuitBreaker.noopService })
 * @since 0.1.0
 * @category constructors
 */
export const noopService: CircuitBreaker.Service = internal.noopService

/**
 * Provides the breaker that never opens.
 *
 * @example
 * program.pipe(Effect.provide(CircuitBreaker.noop)) // never opens
 * @since 0.1.0
 * @category layers
 */
export const noop: Layer.Layer<CircuitBreaker> = internal.noop

/**
 * Every state change a breaker makes, counted by the breaker itself in the
 * step that makes it: once per transition, whichever caller (or client) caused
 * it, all four kinds (`closed → open`, `open → half-open`, `half-open → open`,
 * `half-open → closed`). Labels `scope`, `from`, `to`; each breaker labels at
 * most `maxScopeLabels` scopes by name (default 100), and counts the others
 * under `scope="<other>"`. An incremental counter: Prometheus shows it as
 * `aio_request_circuit_breaker_transitions_total` (through OpenTelemetry;
 * Effect 4's own `PrometheusMetrics` adds no `_total` to a counter). Read one
 * series with `Metric.value(Metric.taggedWithLabels(CircuitBreaker.transitions,
 * [MetricLabel.make("scope", "inventory"), ...]))` on Effect 3,
 * `Metric.value(Metric.withAttributes(CircuitBreaker.transitions, { scope:
 * "inventory", from: "closed", to: "open" }))` on Effect 4.
 *
 * @since 0.2.0
 * @category metrics
 */
export const transitions: Counter = metrics.transitions

/**
 * `CircuitBreaker.Options`, also reachable as `CircuitBreaker.CircuitBreaker.Options` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Options = CircuitBreaker.Options

/**
 * `CircuitBreaker.ConfigOptions`, also reachable as `CircuitBreaker.CircuitBreaker.ConfigOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type ConfigOptions = CircuitBreaker.ConfigOptions

/**
 * `CircuitBreaker.Service`, also reachable as `CircuitBreaker.CircuitBreaker.Service` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Service = CircuitBreaker.Service

/**
 * `CircuitBreaker.StateChange`, also reachable as `CircuitBreaker.CircuitBreaker.StateChange` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type StateChange = CircuitBreaker.StateChange
