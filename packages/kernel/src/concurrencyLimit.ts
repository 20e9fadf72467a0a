/**
 * Adaptive concurrency limits (Netflix concurrency-limits): the limit
 * algorithms (fixed, AIMD, gradient2) as pure steps over plain numbers, and
 * the admission arithmetic with per-priority shares of the limit. Time enters
 * as millis in each sample; the glue measures it and owns the state.
 */
import type { Priority } from "./priority.js"

/** `limit` is the number of requests in flight allowed; the other fields are the algorithm's own. */
export interface LimitState {
  readonly limit: number
  readonly [key: string]: number
}

/** One finished request. */
export interface Sample {
  /** When the request was admitted, in millis (fractional). */
  readonly startMillis: number
  /** From admission to exit, in millis (fractional). */
  readonly latencyMillis: number
  /** Requests in flight when this one was admitted, itself included. */
  readonly inFlight: number
  readonly outcome: "success" | "dropped"
}

/** A limit algorithm: a pure step from one state to the next for each finished request. */
export interface Limit {
  readonly name: string
  readonly initial: LimitState
  readonly update: (state: LimitState, sample: Sample) => LimitState
}

/** A limit that never moves. */
export const fixed = (limit: number): Limit => ({ name: "fixed", initial: { limit }, update: (state) => state })

/** The defaults of `min`, `max` and `initial` shared by the adaptive limits. */
export const defaultMin = 1
export const defaultMax = 1000
/** The default `initial`: 20 within [min, max]. */
export const defaultInitial = (min: number, max: number): number => Math.min(max, Math.max(min, 20))

/** AIMD's settings, already checked, durations in millis. */
export interface AimdSettings {
  readonly initial: number
  readonly min: number
  readonly max: number
  /** In (0, 1). */
  readonly backoffRatio: number
  /** A success at least this slow counts as a sign of overload. */
  readonly thresholdMillis: number
  /** `Infinity`: an unused limit keeps its value. */
  readonly halfLifeMillis: number
}

/**
 * Additive increase, multiplicative decrease (Netflix `AIMDLimit`), with one
 * decrease per window of requests and an optional decay of unused growth
 * (see `ConcurrencyLimit.aimd` for the rules). The limit stays within [min, max].
 */
export const aimd = (settings: AimdSettings): Limit => {
  const { backoffRatio, halfLifeMillis, initial, max, min, thresholdMillis } = settings
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

/** The latency used for a sample of zero (a clock that did not move). */
const minLatencyMillis = 1e-3

/** gradient2's settings, already checked. */
export interface Gradient2Settings {
  readonly initial: number
  readonly min: number
  readonly max: number
  /** ≥ 1. */
  readonly tolerance: number
  /** In (0, 1]. */
  readonly smoothing: number
  /** Integer ≥ 1. */
  readonly longWindow: number
  /** ≥ 0. */
  readonly queueSize: number
}

/**
 * Netflix's `Gradient2Limit` (see `ConcurrencyLimit.gradient2` for the
 * rules). The limit stays within [min, max].
 */
export const gradient2 = (settings: Gradient2Settings): Limit => {
  const { initial, longWindow, max, min, queueSize, smoothing, tolerance } = settings
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

/** The share of the limit each priority may use, each in [0, 1]. */
export interface Shares {
  readonly high: number
  readonly normal: number
  readonly low: number
}

/** `{ high: 1, normal: 0.9, low: 0.5 }`. */
export const defaultShares: Shares = { high: 1, normal: 0.9, low: 0.5 }

/**
 * The admission threshold of `priority` under `limit`: a request is admitted
 * while fewer than this many are in flight (high: at least 1).
 */
export const allowance = (limit: number, priority: Priority, shares: Shares): number => {
  const allowed = Math.floor(limit * shares[priority] + 1e-9)
  return priority === "high" ? Math.max(1, allowed) : allowed
}

/** What an admission controller holds: the algorithm's state and the requests in flight. */
export interface State {
  readonly algorithm: LimitState
  readonly inFlight: number
}

/** The state before any request. */
export const initialState = (limit: Limit): State => ({ algorithm: limit.initial, inFlight: 0 })

/** Takes a slot for a request of `priority`: the next state, or `undefined` when it is shed. */
export const acquire = (state: State, priority: Priority, shares: Shares): State | undefined =>
  state.inFlight < allowance(state.algorithm.limit, priority, shares)
    ? { algorithm: state.algorithm, inFlight: state.inFlight + 1 }
    : undefined

/** Gives a slot back; a `sample` (none for an ignored outcome) moves the limit. */
export const release = (state: State, limit: Limit, sample: Sample | undefined): State => ({
  algorithm: sample === undefined ? state.algorithm : limit.update(state.algorithm, sample),
  inFlight: state.inFlight - 1
})

/** The message of a `LoadShedError`: what was refused, against what, and what to do about it. */
export const shedMessage = (priority: Priority, limit: number, inFlight: number): string =>
  `load shed: a ${priority}-priority request was refused with ${inFlight} requests in flight ` +
  `against a concurrency limit of ${limit} (${priority} may use a share of it); ` +
  `retry after a backoff, within a retry budget, or send less ${priority}-priority traffic`
