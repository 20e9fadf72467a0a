import * as kernel from "@aio-request/kernel/concurrencyLimit"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import type * as CL from "../ConcurrencyLimit.js"
import type { Priority } from "../Priority.js"
import { currentTimeNanos, Service, someFailure } from "./line.js"
import * as validate from "./validate.js"

/**
 * The Effect glue of the concurrency limit: options, the Tag and the error,
 * the Ref, the Clock read around each admitted request. The algorithms and
 * the admission arithmetic are the kernel's (@aio-request/kernel/concurrencyLimit).
 */

/** @internal */
export class LoadShedError extends Data.TaggedError("LoadShedError")<{
  readonly priority: Priority
  readonly limit: number
  readonly inFlight: number
}> {
  override get message() {
    return kernel.shedMessage(this.priority, this.limit, this.inFlight)
  }
}

/** @internal */
export class ConcurrencyLimit extends Service<ConcurrencyLimit, CL.ConcurrencyLimit.Service>()(
  "@aio-request/core/ConcurrencyLimit"
) {}

// ---------------------------------------------------------------------------
// algorithms
// ---------------------------------------------------------------------------

const bounds = (where: string, options: {
  readonly initial?: number | undefined
  readonly min?: number | undefined
  readonly max?: number | undefined
}) => {
  const min = validate.integer(where, "min", options.min ?? kernel.defaultMin, 1)
  const max = validate.integer(where, "max", options.max ?? kernel.defaultMax, min)
  const initial = validate.integer(where, "initial", options.initial ?? kernel.defaultInitial(min, max), min)
  if (initial > max) validate.fail(where, "initial", `an integer in [min, max] = [${min}, ${max}]`, initial)
  return { min, max, initial }
}

/** @internal */
export const fixed = (limit: number): CL.Limit => {
  validate.integer("ConcurrencyLimit.fixed", "limit", limit, 1)
  return kernel.fixed(limit)
}

/** @internal */
export const aimd = (options?: CL.Limit.AimdOptions): CL.Limit => {
  const where = "ConcurrencyLimit.aimd"
  const { initial, max, min } = bounds(where, options ?? {})
  const backoffRatio = validate.between(where, "backoffRatio", options?.backoffRatio ?? 0.9, 0, 1, false)
  const thresholdMillis = Duration.toMillis(
    validate.duration(where, "latencyThreshold", options?.latencyThreshold ?? "1 second", { positive: true })
  )
  const halfLifeMillis = options?.decayHalfLife === undefined ? Infinity : Duration.toMillis(
    validate.duration(where, "decayHalfLife", options.decayHalfLife, { positive: true, allowInfinite: true })
  )
  return kernel.aimd({ initial, min, max, backoffRatio, thresholdMillis, halfLifeMillis })
}

/** @internal */
export const gradient2 = (options?: CL.Limit.Gradient2Options): CL.Limit => {
  const where = "ConcurrencyLimit.gradient2"
  const { initial, max, min } = bounds(where, options ?? {})
  const tolerance = validate.finiteAtLeast(where, "tolerance", options?.tolerance ?? 1.5, 1)
  const smoothing = validate.between(where, "smoothing", options?.smoothing ?? 0.2, 0, 1, true)
  if (smoothing === 0) validate.fail(where, "smoothing", "a number in (0, 1]", smoothing)
  const longWindow = validate.integer(where, "longWindow", options?.longWindow ?? 600, 1)
  const queueSize = validate.finiteAtLeast(where, "queueSize", options?.queueSize ?? 4, 0)
  return kernel.gradient2({ initial, min, max, tolerance, smoothing, longWindow, queueSize })
}

// ---------------------------------------------------------------------------
// admission
// ---------------------------------------------------------------------------

/** @internal */
export const defaultShares: kernel.Shares = kernel.defaultShares

/** @internal */
export const allowance = kernel.allowance

const isDeadlineExceeded = (u: unknown): boolean => Predicate.isTagged(u, "DeadlineExceededError")

/** @internal */
export const defaultClassify = (exit: Exit.Exit<unknown, unknown>): CL.Outcome => {
  if (Exit.isSuccess(exit)) return "success"
  return someFailure(exit.cause, isDeadlineExceeded) ? "dropped" : "ignored"
}

/** @internal */
export const make = (options: CL.ConcurrencyLimit.Options): Effect.Effect<CL.ConcurrencyLimit.Service> => {
  const where = "ConcurrencyLimit.make"
  validate.record(where, "options", options)
  const limit = validate.service(where, "limit", options.limit, "ConcurrencyLimit.Limit", ["initial", "update"])
  validate.callable(where, "limit.update", limit.update)
  const given = validate.record(where, "shares", options.shares ?? {})
  const shares: kernel.Shares = {
    high: validate.between(where, "shares.high", given.high ?? defaultShares.high, 0, 1, true),
    normal: validate.between(where, "shares.normal", given.normal ?? defaultShares.normal, 0, 1, true),
    low: validate.between(where, "shares.low", given.low ?? defaultShares.low, 0, 1, true)
  }
  const serviceClassify = options.classify === undefined
    ? defaultClassify
    : validate.callable(where, "classify", options.classify)

  return Effect.map(
    Ref.make<kernel.State>(kernel.initialState(limit)),
    (ref): CL.ConcurrencyLimit.Service => {
      /** Takes a slot: the in-flight count including this request, or the shed error. */
      const acquire = (priority: Priority) =>
        Ref.modify(ref, (state): [number | LoadShedError, kernel.State] => {
          const next = kernel.acquire(state, priority, shares)
          if (next !== undefined) return [next.inFlight, next]
          return [new LoadShedError({ priority, limit: state.algorithm.limit, inFlight: state.inFlight }), state]
        })

      const release = (outcome: CL.Outcome, startMillis: number, latencyMillis: number, inFlight: number) =>
        Ref.update(ref, (state): kernel.State =>
          kernel.release(
            state,
            limit,
            outcome === "ignored" ? undefined : { startMillis, latencyMillis, inFlight, outcome }
          ))

      const admit = <A, E, R>(
        priority: Priority,
        effect: Effect.Effect<A, E, R>,
        classify?: ((exit: Exit.Exit<A, E>) => CL.Outcome) | undefined
      ): Effect.Effect<A, E | LoadShedError, R> =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(acquire(priority), (taken): Effect.Effect<A, E | LoadShedError, R> => {
            if (typeof taken !== "number") return Effect.fail(taken)
            return Effect.clockWith((clock) => {
              const start = currentTimeNanos(clock)
              return restore(effect).pipe(
                Effect.onExit((exit) => {
                  const latencyMillis = Number(currentTimeNanos(clock) - start) / 1e6
                  let outcome: CL.Outcome
                  try {
                    outcome = (classify ?? serviceClassify)(exit)
                  } catch {
                    outcome = "ignored"
                  }
                  return release(outcome, Number(start) / 1e6, latencyMillis, taken)
                })
              )
            })
          })
        )

      return {
        admit,
        state: Effect.map(Ref.get(ref), (state) => ({ limit: state.algorithm.limit, inFlight: state.inFlight }))
      }
    }
  )
}

/** @internal */
export const layer = (options: CL.ConcurrencyLimit.Options): Layer.Layer<ConcurrencyLimit> =>
  Layer.effect(ConcurrencyLimit, make(options))
