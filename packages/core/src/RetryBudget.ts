/**
 * A retry budget (Finagle, Envoy, gRPC throttling): every first attempt
 * deposits, every extra attempt (retry or hedge) withdraws, and when the budget
 * is empty strategies send no extra attempts. Provided once, it governs every
 * `Strategy.run` below it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/retryBudget.js"

/**
 * The retry budget in force. Default: `unlimited`.
 *
 * @since 0.1.0
 * @category references
 */
export class RetryBudget extends Context.Reference<RetryBudget>()("@aio-request/core/RetryBudget", {
  defaultValue: (): RetryBudget.Service => internal.unlimited
}) {}

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
}

/**
 * A budget that never runs out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unlimited: RetryBudget.Service = internal.unlimited
