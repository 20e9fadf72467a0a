/**
 * A retry budget (Finagle, Envoy, gRPC throttling): every first attempt
 * deposits, every extra attempt (retry or hedge) withdraws, and when the budget
 * is empty strategies send no extra attempts. Provided once, it governs every
 * `Strategy.run` below it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { ConfigError, ConfigWrap, DurationInput, Provided, Reference } from "./internal/line.js"
import * as internal from "./internal/retryBudget.js"

/**
 * The retry budget in force. Default: `unlimited`.
 *
 * @since 0.1.0
 * @category references
 */
export const RetryBudget: Reference<internal.RetryBudget, RetryBudget.Service> = internal.RetryBudget

/**
 * What a layer of a retry budget provides: `RetryBudget` on Effect 3;
 * `never` on Effect 4, where a Reference is provided, not a service.
 *
 * @since 0.1.0
 * @category references
 */
export type RetryBudget = Provided<internal.RetryBudget>

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace RetryBudget {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /** Called for every first attempt of a request. */
    readonly deposit: Effect.Effect<void>
    /** Called before every extra attempt; `false` means do not send it. */
    readonly tryWithdraw: Effect.Effect<boolean>
  }

  /**
   * @since 0.1.0
   */
  export interface Options {
    /**
     * Extra attempts allowed per first attempt, over `ttl`. A finite number
     * ≥ 0 (above 1 lets a hedging strategy send more than one extra attempt
     * per request on average). Default 0.2.
     */
    readonly ratio?: number | undefined
    /**
     * Extra attempts allowed per second whatever the traffic, so that a
     * quiet client can still retry. A finite number ≥ 0. Default 10.
     */
    readonly minPerSecond?: number | undefined
    /** How long a deposit or a withdrawal counts. Positive. Default 10 seconds. */
    readonly ttl?: DurationInput | undefined
  }
}

/**
 * A budget that never runs out.
 *
 * @example
 * program.pipe(Effect.provideService(RetryBudget.RetryBudget, RetryBudget.unlimited))
 * @since 0.1.0
 * @category constructors
 */
export const unlimited: RetryBudget.Service = internal.unlimited

/**
 * Builds a retry budget whose time comes from `Clock`. Deposits and
 * withdrawals count for `ttl` (a window sliding by tenths of `ttl`); an extra
 * attempt is allowed while
 * `minPerSecond × ttl + ratio × deposits − withdrawals ≥ 1`, so over any
 * stretch of traffic shorter than `ttl` the extra attempts stay within
 * `ratio × first attempts + minPerSecond × ttl`.
 *
 * Invalid options throw Effect's illegal-argument error naming the option.
 *
 * @example
 * import { Deadline, RetryBudget, Strategy } from "@aio-request/core"
 * import { Effect, Exit } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const budget = yield* RetryBudget.make({ ratio: 0.1 })
 *   const options: Strategy.RunOptions<string, never, never> = {
 *     attempt: () => Effect.succeed("ok"),
 *     classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
 *     deadline: yield* Deadline.fromTimeout("1 second")
 *   }
 *   return yield* Strategy.run(Strategy.sequential(), options).pipe(
 *     Effect.provideService(RetryBudget.RetryBudget, budget)
 *   )
 * })
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: RetryBudget.Options) => Effect.Effect<RetryBudget.Service> = internal.make

/**
 * Provides a budget built by `make(options)` to every `Strategy.run` below it:
 * one budget shared by every request and strategy of the program.
 *
 * @example
 * import { RetryBudget } from "@aio-request/core"
 *
 * const BudgetLive = RetryBudget.layer({ ratio: 0.2, minPerSecond: 10, ttl: "10 seconds" })
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: RetryBudget.Options) => Layer.Layer<RetryBudget> = internal.layer

/**
 * Like `layer`, with the options read from `Config`; invalid values fail the
 * layer with a `ConfigError` naming the option.
 *
 * @example
 * import { RetryBudget } from "@aio-request/core"
 * import type { Config } from "effect"
 *
 * declare const ratio: Config.Config<number> // Config.number("RETRY_RATIO"); Config.Number on Effect 4
 * const BudgetLive = RetryBudget.layerConfig({ ratio })
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: (
  config: ConfigWrap<RetryBudget.Options>
) => Layer.Layer<RetryBudget, ConfigError> = internal.layerConfig

/**
 * `RetryBudget.Options`, also reachable as `RetryBudget.RetryBudget.Options` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Options = RetryBudget.Options

/**
 * `RetryBudget.Service`, also reachable as `RetryBudget.RetryBudget.Service` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Service = RetryBudget.Service
