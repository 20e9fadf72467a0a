/**
 * A circuit breaker per scope *(seed DefaultCircuitBreaker)*: a rolling window
 * of outcomes opens the circuit when enough of them fail; while open, calls
 * fail at once; after `breakDuration` one probe decides between closing and
 * opening again.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"

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
export class CircuitBreakerOpenError extends Data.TaggedError("CircuitBreakerOpenError")<{
  readonly scope: string
  readonly retryAfter: Duration.Duration
}> {
  override get message() {
    return `circuit for ${this.scope} is open (retry after ${Duration.format(this.retryAfter)})`
  }
}

/**
 * @since 0.1.0
 * @category tags
 */
export class CircuitBreaker extends Context.Tag("@aio-request/core/CircuitBreaker")<
  CircuitBreaker,
  CircuitBreaker.Service
>() {}

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
  }
}
