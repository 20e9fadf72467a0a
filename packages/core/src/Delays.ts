/**
 * How long a strategy waits before each extra attempt. A `Delays` is
 * effectful: it may draw from `Random` (jitter) and hold state (`percentile`).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/delays.js"
import type { DurationInput } from "./internal/line.js"

/**
 * `delay(n, key)` is the wait before attempt `n` (n ≥ 1); `key` names the kind
 * of request (for HTTP: method and path template). Strategies call `observe`
 * with the latency of accepted attempts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delays {
  readonly delay: (attempt: number, key: string) => Effect.Effect<Duration.Duration>
  readonly observe?: ((key: string, latency: Duration.Duration) => Effect.Effect<void>) | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Delays {
  /**
   * @since 0.1.0
   */
  export interface LinearOptions {
    /** Default 0. */
    readonly min?: DurationInput | undefined
    /** Default 50 millis. */
    readonly multiplier?: DurationInput | undefined
    /** In [0, 1]. Default 0.2. */
    readonly jitter?: number | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface ExponentialOptions {
    /** The delay before attempt 1. */
    readonly base: DurationInput
    /** ≥ 1. Default 2. */
    readonly factor?: number | undefined
    /** The cap. Default none. */
    readonly max?: DurationInput | undefined
    /** In [0, 1]. Default 0.2. */
    readonly jitter?: number | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface PercentileOptions {
    /** In (0, 1). Default 0.95. */
    readonly percentile?: number | undefined
    /** Default 50 millis; also the delay while there is no data. */
    readonly min?: DurationInput | undefined
    /** Default 10 seconds. */
    readonly max?: DurationInput | undefined
    /** The sliding window of observations. Default 5 minutes. */
    readonly window?: DurationInput | undefined
    /** How many buckets the window slides by. Default 2. */
    readonly buckets?: number | undefined
    /** How many keys are kept (least recently observed evicted). Default 1024. */
    readonly maxKeys?: number | undefined
  }
}

/**
 * The same delay before every attempt. Under `Strategy.parallel` every hedge
 * then starts at that delay after the first attempt.
 *
 * @example
 * Delays.constant("100 millis")
 * @since 0.1.0
 * @category constructors
 */
export const constant: (delay: DurationInput) => Delays = internal.constant

/**
 * d = min + n·multiplier, then d ± d·U(0,1)·jitter, the sign chosen by a fair
 * coin (Python aio-request's linear delays).
 *
 * @example
 * Delays.linear({ min: "100 millis", multiplier: "100 millis", jitter: 0 })
 * @since 0.1.0
 * @category constructors
 */
export const linear: (options?: Delays.LinearOptions) => Delays = internal.linear

/**
 * d = base·factor^(n−1), capped at `max`, with the same jitter as `linear`.
 *
 * @example
 * Delays.exponential({ base: "50 millis", max: "2 seconds" })
 * @since 0.1.0
 * @category constructors
 */
export const exponential: (options: Delays.ExponentialOptions) => Delays = internal.exponential

/**
 * The successive delays of a `Schedule` (its input is the attempt number). Once
 * the schedule is done the delay is infinite, so sequential strategies stop.
 *
 * @example
 * import { Delays } from "@aio-request/core"
 * import { Schedule } from "effect"
 *
 * Delays.fromSchedule(Schedule.exponential("100 millis").pipe(Schedule.jittered))
 * @since 0.1.0
 * @category constructors
 */
export const fromSchedule: (schedule: Schedule.Schedule<unknown, number>) => Delays = internal.fromSchedule

/**
 * Python aio-request's `PercentileBasedRequestAttemptDelaysProvider`: learns the latency of
 * accepted attempts per key over a sliding window; the delay before attempt n
 * is clamp(pN, min, max)·n, and `min` while there is no data. Latencies are
 * kept in a log-scale histogram (2% resolution), so memory per key is fixed
 * (buckets × ~600 counters) and at most `maxKeys` keys are kept.
 *
 * @example
 * const delays = yield* Delays.percentile({ percentile: 0.95, min: "20 millis" })
 * const strategy = Strategy.parallel({ attempts: 2, delays })
 * @since 0.1.0
 * @category constructors
 */
export const percentile: (options?: Delays.PercentileOptions) => Effect.Effect<Delays> = internal.percentile

/**
 * `Delays.LinearOptions`, also reachable as `Delays.Delays.LinearOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type LinearOptions = Delays.LinearOptions

/**
 * `Delays.ExponentialOptions`, also reachable as `Delays.Delays.ExponentialOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type ExponentialOptions = Delays.ExponentialOptions

/**
 * `Delays.PercentileOptions`, also reachable as `Delays.Delays.PercentileOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type PercentileOptions = Delays.PercentileOptions
