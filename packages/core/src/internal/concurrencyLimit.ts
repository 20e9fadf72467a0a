import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import type * as CL from "../ConcurrencyLimit.js"
import type { Priority } from "../Priority.js"
import * as validate from "./validate.js"

// ---------------------------------------------------------------------------
// algorithms
// ---------------------------------------------------------------------------

const bounds = (where: string, options: {
  readonly initial?: number | undefined
  readonly min?: number | undefined
  readonly max?: number | undefined
}) => {
  const min = validate.integer(where, "min", options.min ?? 1, 1)
  const max = validate.integer(where, "max", options.max ?? 1000, min)
  const initial = validate.integer(where, "initial", options.initial ?? Math.min(max, Math.max(min, 20)), min)
  if (initial > max) validate.fail(where, "initial", `an integer in [min, max] = [${min}, ${max}]`, initial)
  return { min, max, initial }
}

/** @internal */
export const fixed = (limit: number): CL.Limit => {
  validate.integer("ConcurrencyLimit.fixed", "limit", limit, 1)
  return { name: "fixed", initial: { limit }, update: (state) => state }
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
  return {
    name: "aimd",
    initial: { limit: initial, decreasedAt: -Infinity, usedAt: -Infinity, peak: 0 },
    update: (state, sample) => {
      const limit = state.limit
      const decreasedAt = state.decreasedAt ?? -Infinity
      const now = sample.startMillis + sample.latencyMillis
      if (sample.outcome === "dropped" || sample.latencyMillis >= thresholdMillis) {
        // admitted before the last decrease: the limit already came down for
        // what this request saw (one decrease per window of requests, as TCP
        // decreases once per round trip), or a burst of slow answers would
        // cut it once per answer
        if (sample.startMillis < decreasedAt) return { ...state, usedAt: now, peak: 0 }
        // 1e-9 absorbs 10 × 0.9 = 8.999…
        return {
          limit: Math.max(min, Math.floor(limit * backoffRatio + 1e-9)),
          decreasedAt: now,
          usedAt: now,
          peak: 0
        }
      }
      // grow only while the limit is in use (Netflix: inflight × 2 ≥ limit)
      if (sample.inFlight * 2 >= limit) {
        return { limit: limit < max ? limit + 1 : limit, decreasedAt, usedAt: now, peak: 0 }
      }
      // unused: each whole half-life since the limit was last in use halves
      // its excess over where this load would hold it: `initial`, or the
      // smallest limit at which the most requests found in flight meanwhile
      // (`peak`) no longer make it grow (2 × peak + 1), whichever is more.
      // Never below `initial`: a limit that came down for cause stays down
      // until the load raises it.
      const usedAt = state.usedAt ?? -Infinity
      const peak = Math.max(state.peak ?? 0, sample.inFlight)
      if (halfLifeMillis === Infinity || limit <= initial || !Number.isFinite(usedAt)) return state
      const halvings = Math.floor((now - usedAt) / halfLifeMillis)
      if (halvings < 1) return { ...state, peak }
      const floor = Math.max(initial, Math.min(max, 2 * peak + 1))
      return {
        limit: limit <= floor ? limit : floor + Math.floor((limit - floor) / 2 ** Math.min(halvings, 64)),
        decreasedAt,
        usedAt: usedAt + halvings * halfLifeMillis,
        peak: sample.inFlight
      }
    }
  }
}

/** The latency used for a sample of zero (a `TestClock` that did not move). */
const minLatencyMillis = 1e-3

/** @internal */
export const gradient2 = (options?: CL.Limit.Gradient2Options): CL.Limit => {
  const where = "ConcurrencyLimit.gradient2"
  const { initial, max, min } = bounds(where, options ?? {})
  const tolerance = options?.tolerance ?? 1.5
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 1) {
    validate.fail(where, "tolerance", "a finite number >= 1", tolerance)
  }
  const smoothing = validate.between(where, "smoothing", options?.smoothing ?? 0.2, 0, 1, true)
  if (smoothing === 0) validate.fail(where, "smoothing", "a number in (0, 1]", smoothing)
  const longWindow = validate.integer(where, "longWindow", options?.longWindow ?? 600, 1)
  const queueSize = options?.queueSize ?? 4
  if (typeof queueSize !== "number" || !Number.isFinite(queueSize) || queueSize < 0) {
    validate.fail(where, "queueSize", "a finite number >= 0", queueSize)
  }
  // Netflix ExpAvgMeasurement: a plain average over the first `warmup`
  // samples, then an exponential average with factor 2 / (window + 1)
  const warmup = Math.min(10, longWindow)
  const factor = 2 / (longWindow + 1)
  return {
    name: "gradient2",
    initial: { limit: initial, estimate: initial, longRtt: 0, samples: 0 },
    update: (state, sample) => {
      const estimate = state.estimate ?? state.limit
      const samples = (state.samples ?? 0) + 1
      const shortRtt = Math.max(minLatencyMillis, sample.latencyMillis)
      let longRtt = samples <= warmup
        ? ((state.longRtt ?? 0) * (samples - 1) + shortRtt) / samples
        : (state.longRtt ?? shortRtt) * (1 - factor) + shortRtt * factor
      // after a long overload the long average is far above the present:
      // let it decay, or the limit would never shrink again
      if (longRtt / shortRtt > 2) longRtt *= 0.95
      // application-limited: the latency says nothing about a higher limit
      if (sample.inFlight < estimate / 2) return { limit: state.limit, estimate, longRtt, samples }
      const gradient = Math.max(0.5, Math.min(1, tolerance * longRtt / shortRtt))
      const next = estimate * gradient + queueSize
      const smoothed = Math.max(min, Math.min(max, estimate * (1 - smoothing) + next * smoothing))
      return { limit: Math.max(min, Math.floor(smoothed)), estimate: smoothed, longRtt, samples }
    }
  }
}

// ---------------------------------------------------------------------------
// admission
// ---------------------------------------------------------------------------

interface FullShares {
  readonly high: number
  readonly normal: number
  readonly low: number
}

/** @internal */
export const defaultShares: FullShares = { high: 1, normal: 0.9, low: 0.5 }

/** @internal */
export const allowance = (limit: number, priority: Priority, shares: FullShares): number => {
  const allowed = Math.floor(limit * shares[priority] + 1e-9)
  return priority === "high" ? Math.max(1, allowed) : allowed
}

const isDeadlineExceeded = (u: unknown): boolean => Predicate.isTagged(u, "DeadlineExceededError")

/** @internal */
export const defaultClassify = (exit: Exit.Exit<unknown, unknown>): CL.Outcome => {
  if (Exit.isSuccess(exit)) return "success"
  return Chunk.some(Cause.failures(exit.cause), isDeadlineExceeded) ? "dropped" : "ignored"
}

interface State {
  readonly algorithm: CL.Limit.State
  readonly inFlight: number
}

/** @internal */
export const make = (
  options: CL.ConcurrencyLimit.Options,
  shed: new(
    fields: { readonly priority: Priority; readonly limit: number; readonly inFlight: number }
  ) => CL.LoadShedError
): Effect.Effect<CL.ConcurrencyLimit.Service> => {
  const where = "ConcurrencyLimit.make"
  validate.record(where, "options", options)
  const limit = validate.service(where, "limit", options.limit, "ConcurrencyLimit.Limit", ["initial", "update"])
  validate.callable(where, "limit.update", limit.update)
  const given = validate.record(where, "shares", options.shares ?? {})
  const shares: FullShares = {
    high: validate.between(where, "shares.high", given.high ?? defaultShares.high, 0, 1, true),
    normal: validate.between(where, "shares.normal", given.normal ?? defaultShares.normal, 0, 1, true),
    low: validate.between(where, "shares.low", given.low ?? defaultShares.low, 0, 1, true)
  }
  const serviceClassify = options.classify === undefined
    ? defaultClassify
    : validate.callable(where, "classify", options.classify)

  return Effect.map(
    Ref.make<State>({ algorithm: limit.initial, inFlight: 0 }),
    (ref): CL.ConcurrencyLimit.Service => {
      /** Takes a slot: the in-flight count including this request, or the shed error. */
      const acquire = (priority: Priority) =>
        Ref.modify(ref, (state): [number | CL.LoadShedError, State] => {
          const current = state.algorithm.limit
          if (state.inFlight < allowance(current, priority, shares)) {
            const inFlight = state.inFlight + 1
            return [inFlight, { algorithm: state.algorithm, inFlight }]
          }
          return [new shed({ priority, limit: current, inFlight: state.inFlight }), state]
        })

      const release = (outcome: CL.Outcome, startMillis: number, latencyMillis: number, inFlight: number) =>
        Ref.update(ref, (state): State => ({
          algorithm: outcome === "ignored"
            ? state.algorithm
            : limit.update(state.algorithm, { startMillis, latencyMillis, inFlight, outcome }),
          inFlight: state.inFlight - 1
        }))

      const admit = <A, E, R>(
        priority: Priority,
        effect: Effect.Effect<A, E, R>,
        classify?: ((exit: Exit.Exit<A, E>) => CL.Outcome) | undefined
      ): Effect.Effect<A, E | CL.LoadShedError, R> =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(acquire(priority), (taken): Effect.Effect<A, E | CL.LoadShedError, R> => {
            if (typeof taken !== "number") return Effect.fail(taken)
            return Effect.clockWith((clock) => {
              const start = clock.unsafeCurrentTimeNanos()
              return restore(effect).pipe(
                Effect.onExit((exit) => {
                  const latencyMillis = Number(clock.unsafeCurrentTimeNanos() - start) / 1e6
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
