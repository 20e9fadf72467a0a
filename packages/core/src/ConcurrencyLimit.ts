/**
 * Admission control that sheds by priority (beyond the Python aio-request: Netflix
 * concurrency-limits, Google SRE "criticality"). The limit is a number of
 * requests in flight, moved by an algorithm (`fixed`, `aimd`, `gradient2`)
 * from the latency and outcome of the requests it admitted. Each priority may
 * use a share of the limit, so under overload low is shed first, then normal,
 * and high last.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/concurrencyLimit.js"
import type { DurationInput } from "./internal/line.js"
import type { Priority } from "./Priority.js"

/**
 * Raised by `admit`, without running the effect, when a request of
 * `priority` finds `inFlight` requests in flight, as many as its share of
 * `limit` allows or more.
 *
 * @since 0.1.0
 * @category errors
 */
export const LoadShedError: typeof internal.LoadShedError = internal.LoadShedError

/**
 * @since 0.1.0
 * @category errors
 */
export type LoadShedError = internal.LoadShedError

/**
 * What a finished request tells the limit: `"success"` (a latency sample),
 * `"dropped"` (it timed out or was refused downstream: a sign of overload) or
 * `"ignored"` (it says nothing about the load, say the caller went away).
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "success" | "dropped" | "ignored"

/**
 * A limit algorithm: a pure step from one state to the next for each finished
 * request. The same value may serve many services; each `make` keeps its own
 * state.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limit {
  /** For logs and docs: `"fixed"`, `"aimd"`, `"gradient2"`. */
  readonly name: string
  /** The state before any request. */
  readonly initial: Limit.State
  /** The state after one finished request (`"ignored"` outcomes are not passed). */
  readonly update: (state: Limit.State, sample: Limit.Sample) => Limit.State
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Limit {
  /**
   * `limit` is the number of requests in flight allowed; the other fields
   * are the algorithm's own.
   *
   * @since 0.1.0
   */
  export interface State {
    readonly limit: number
    readonly [key: string]: number
  }

  /**
   * One finished request.
   *
   * @since 0.1.0
   */
  export interface Sample {
    /** When the request was admitted: `Clock` time in milliseconds (fractional). */
    readonly startMillis: number
    /** From admission to exit, in milliseconds (fractional), on `Clock`. */
    readonly latencyMillis: number
    /** Requests in flight when this one was admitted, itself included. */
    readonly inFlight: number
    readonly outcome: "success" | "dropped"
  }

  /**
   * @since 0.1.0
   */
  export interface AimdOptions {
    /** Integer in [min, max]. Default 20. */
    readonly initial?: number | undefined
    /** Integer ≥ 1. Default 1. */
    readonly min?: number | undefined
    /** Integer ≥ min. Default 1000. */
    readonly max?: number | undefined
    /** The factor applied on a decrease, in (0, 1). Default 0.9. */
    readonly backoffRatio?: number | undefined
    /** A success at least this slow counts as a sign of overload. Positive. Default 1 second. */
    readonly latencyThreshold?: DurationInput | undefined
    /**
     * Lets growth that is no longer used be taken back. For every whole
     * `decayHalfLife` in which no finished request found the limit in use
     * (at least half of it in flight) and none was slow or dropped, the
     * limit's excess over where the present load holds it halves (rounded
     * down). That level is the larger of `initial` and `2 × peak + 1`, `peak`
     * being the most requests in flight any of those requests found: the
     * limit at which such a load no longer makes it grow. So the decay never
     * takes the limit below `initial`, nor below what growth would give the
     * present load. Positive. Default: none (an unused limit keeps its value,
     * as in Netflix's `AIMDLimit`).
     */
    readonly decayHalfLife?: DurationInput | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface Gradient2Options {
    /** Default 20; in [min, max]. */
    readonly initial?: number | undefined
    /** Integer ≥ 1. Default 1. */
    readonly min?: number | undefined
    /** Integer ≥ min. Default 1000. */
    readonly max?: number | undefined
    /** How much the short latency may exceed the long one before the limit shrinks, ≥ 1. Default 1.5. */
    readonly tolerance?: number | undefined
    /** The weight of each new limit in the smoothed one, in (0, 1]. Default 0.2. */
    readonly smoothing?: number | undefined
    /** Requests the long latency average spans (exponential window), integer ≥ 1. Default 600. */
    readonly longWindow?: number | undefined
    /** Head-room added to the limit at each step, ≥ 0 (lets it grow). Default 4. */
    readonly queueSize?: number | undefined
  }
}

/**
 * @since 0.1.0
 * @category tags
 */
export const ConcurrencyLimit: typeof internal.ConcurrencyLimit = internal.ConcurrencyLimit

/**
 * @since 0.1.0
 * @category tags
 */
export type ConcurrencyLimit = internal.ConcurrencyLimit

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace ConcurrencyLimit {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /**
     * Runs `effect` if a request of `priority` is admitted now, holding one
     * slot until it ends (success, failure, defect or interruption); else
     * fails at once with `LoadShedError` and `effect` never runs. `classify`
     * (default: the service's) says what the outcome tells the limit.
     */
    readonly admit: <A, E, R>(
      priority: Priority,
      effect: Effect.Effect<A, E, R>,
      classify?: ((exit: Exit.Exit<A, E>) => Outcome) | undefined
    ) => Effect.Effect<A, E | LoadShedError, R>
    /** The current limit and the requests in flight. */
    readonly state: Effect.Effect<{ readonly limit: number; readonly inFlight: number }>
  }

  /**
   * The share of the limit each priority may use, each in [0, 1].
   *
   * @since 0.1.0
   */
  export interface Shares {
    readonly high?: number | undefined
    readonly normal?: number | undefined
    readonly low?: number | undefined
  }

  /**
   * @since 0.1.0
   */
  export interface Options {
    /** The algorithm: `fixed(n)`, `aimd()`, `gradient2()` or your own. */
    readonly limit: Limit
    /** Default `{ high: 1, normal: 0.9, low: 0.5 }`; a partial record keeps the other defaults. */
    readonly shares?: Shares | undefined
    /**
     * What an outcome tells the limit. Default: a success is `"success"`; a
     * failure with a `DeadlineExceededError` is `"dropped"`; an interruption
     * and any other failure or defect is `"ignored"`.
     */
    readonly classify?: ((exit: Exit.Exit<unknown, unknown>) => Outcome) | undefined
  }
}

/**
 * A limit that never moves.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 *
 * const limiter = ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(50) })
 * @since 0.1.0
 * @category constructors
 */
export const fixed: (limit: number) => Limit = internal.fixed

/**
 * Additive increase, multiplicative decrease (Netflix `AIMDLimit`). After
 * each finished request: a drop (timeout) or a success at least
 * `latencyThreshold` slow sets the limit to `max(min, floor(limit ×
 * backoffRatio))`, unless the request was admitted before the last
 * decrease (the limit already came down for what it saw: one decrease per
 * window of requests, as TCP decreases once per round trip); a faster success adds 1 (up to `max`) when the limit is in
 * use, that is when the request found at least half the limit in flight, so
 * that an idle service does not drift to `max`.
 *
 * By default an unused limit keeps its value. With `decayHalfLife`, growth
 * that no request has used for a whole half-life is taken back by halves
 * (TCP's congestion window validation, RFC 2861, does the same for a window
 * the sender does not fill), down to where the present load holds the limit
 * (`initial`, or twice the requests in flight plus one if that is more): after
 * an overload, the limit returns to what the normal load gives it.
 *
 * Invalid options throw `IllegalArgumentException` naming the option.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 *
 * const limit = ConcurrencyLimit.aimd({ initial: 20, latencyThreshold: "150 millis" })
 * // growth that stays unused for 10 s halves, back down to 20
 * const forgetting = ConcurrencyLimit.aimd({ initial: 20, latencyThreshold: "150 millis", decayHalfLife: "10 seconds" })
 * @since 0.1.0
 * @category constructors
 */
export const aimd: (options?: Limit.AimdOptions) => Limit = internal.aimd

/**
 * Netflix's `Gradient2Limit`: compares the latest latency (short) with an
 * exponential average of latencies over `longWindow` requests (long). The
 * gradient `clamp(tolerance × long / short, 0.5, 1)` is 1 while latencies
 * stay within `tolerance` of their long-run level, and shrinks the limit as
 * queueing shows up in the latency. Each step:
 * `next = limit × gradient + queueSize`, smoothed as
 * `limit × (1 − smoothing) + next × smoothing`, within [min, max]; no change
 * while fewer than half the limit are in flight (application-limited). When
 * the long average exceeds twice the latest latency (after a long overload),
 * it decays by 5% per request, so the limit can recover. A drop counts as a
 * sample with its latency (as in Netflix's version, a timeout's long latency
 * is what shrinks the limit).
 *
 * Invalid options throw `IllegalArgumentException` naming the option.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 *
 * const limit = ConcurrencyLimit.gradient2({ initial: 50, tolerance: 2 })
 * @since 0.1.0
 * @category constructors
 */
export const gradient2: (options?: Limit.Gradient2Options) => Limit = internal.gradient2

/**
 * The default `classify`: a success is `"success"`; a failure with a
 * `DeadlineExceededError` (a timeout) is `"dropped"`; an interruption, and any
 * other failure or defect, is `"ignored"`.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 * import { Exit } from "effect"
 *
 * ConcurrencyLimit.defaultClassify(Exit.succeed("ok")) // "success"
 * @since 0.1.0
 * @category utils
 */
export const defaultClassify: (exit: Exit.Exit<unknown, unknown>) => Outcome = internal.defaultClassify

/**
 * Builds an admission controller with its own state (requests in flight, the
 * algorithm's state) and time from `Clock`.
 *
 * A request of priority `p` is admitted while
 * `inFlight < max(1, floor(limit × shares.high))` for high and
 * `inFlight < floor(limit × shares[p])` for normal and low; otherwise it
 * fails at once with `LoadShedError` and its effect never runs. The latency
 * of each admitted request (from admission to exit, `Clock.currentTimeNanos`)
 * and its outcome move the limit.
 *
 * Invalid options throw `IllegalArgumentException` naming the option.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.aimd() })
 *   return yield* limiter.admit("low", Effect.succeed("report"))
 * })
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: ConcurrencyLimit.Options) => Effect.Effect<ConcurrencyLimit.Service> = internal.make

/**
 * Provides `ConcurrencyLimit` built by `make(options)`.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 *
 * const LimitLive = ConcurrencyLimit.layer({ limit: ConcurrencyLimit.aimd({ latencyThreshold: "200 millis" }) })
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: ConcurrencyLimit.Options) => Layer.Layer<ConcurrencyLimit> = internal.layer

/**
 * The admission threshold of `priority` under `limit`: a request is admitted
 * while fewer than this many are in flight.
 *
 * @example
 * import { ConcurrencyLimit } from "@aio-request/core"
 *
 * ConcurrencyLimit.allowance(10, "low", { high: 1, normal: 0.9, low: 0.5 }) // 5
 * ConcurrencyLimit.allowance(0.5, "high", { high: 1, normal: 0.9, low: 0.5 }) // 1
 * @since 0.1.0
 * @category utils
 */
export const allowance: (
  limit: number,
  priority: Priority,
  shares: { readonly high: number; readonly normal: number; readonly low: number }
) => number = internal.allowance

/**
 * `ConcurrencyLimit.Options`, also reachable as `ConcurrencyLimit.ConcurrencyLimit.Options` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Options = ConcurrencyLimit.Options

/**
 * `ConcurrencyLimit.Shares`, also reachable as `ConcurrencyLimit.ConcurrencyLimit.Shares` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Shares = ConcurrencyLimit.Shares

/**
 * `ConcurrencyLimit.Service`, also reachable as `ConcurrencyLimit.ConcurrencyLimit.Service` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Service = ConcurrencyLimit.Service

/**
 * `ConcurrencyLimit.AimdOptions`, also reachable as `ConcurrencyLimit.Limit.AimdOptions`.
 *
 * @since 0.3.0
 * @category models
 */
export type AimdOptions = Limit.AimdOptions

/**
 * `ConcurrencyLimit.Gradient2Options`, also reachable as `ConcurrencyLimit.Limit.Gradient2Options`.
 *
 * @since 0.3.0
 * @category models
 */
export type Gradient2Options = Limit.Gradient2Options
