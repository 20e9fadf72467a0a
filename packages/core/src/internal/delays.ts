import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Schedule from "effect/Schedule"
import { isSchedule } from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as Delays from "../Delays.js"
import * as validate from "./validate.js"

/**
 * millis ± millis·u·jitter, u uniform in [0, 1), the sign a fair coin
 * *(seed)*. Both come from one draw v: the coin is v ≥ 0.5, u is v rescaled
 * within its half (one `Random` step instead of two: this runs for every
 * hedge and retry).
 */
const jittered = <X>(millis: number, jitter: number, finish: (millis: number) => X): Effect.Effect<X> =>
  jitter === 0 || millis === 0
    ? Effect.succeed(finish(millis))
    : Effect.map(Random.next, (v) => {
      const plus = v >= 0.5
      const u = plus ? (v - 0.5) * 2 : v * 2
      return finish(Math.max(0, plus ? millis + millis * u * jitter : millis - millis * u * jitter))
    })

/**
 * A `Delays` given as an option: an object whose `delay` is a function (and
 * `observe`, if present). Refuses `{}`, and an un-yielded `Delays.percentile()`.
 *
 * @internal
 */
export const check = (where: string, option: string, value: Delays.Delays): Delays.Delays => {
  const ok = typeof value === "object" && value !== null && typeof value.delay === "function" &&
    (value.observe === undefined || typeof value.observe === "function")
  return ok ? value : validate.fail(where, option, "a Delays (with a delay function)", value)
}

/** @internal */
export const constant = (delay: Duration.DurationInput): Delays.Delays => {
  const d = validate.duration("Delays.constant", "delay", delay)
  const effect = Effect.succeed(d)
  return { delay: () => effect }
}

/** @internal */
export const linear = (options?: Delays.Delays.LinearOptions): Delays.Delays => {
  const where = "Delays.linear"
  validate.optionsBag(where, options)
  const min = Duration.toMillis(validate.duration(where, "min", options?.min ?? 0))
  const multiplier = Duration.toMillis(validate.duration(where, "multiplier", options?.multiplier ?? "50 millis"))
  const jitter = validate.between(where, "jitter", options?.jitter ?? 0.2, 0, 1, true)
  return {
    delay: (attempt) => jittered(min + attempt * multiplier, jitter, Duration.millis)
  }
}

/** @internal */
export const exponential = (options: Delays.Delays.ExponentialOptions): Delays.Delays => {
  const where = "Delays.exponential"
  validate.record(where, "options", options)
  const base = Duration.toMillis(validate.duration(where, "base", options.base))
  const factor = options.factor ?? 2
  if (typeof factor !== "number" || !Number.isFinite(factor) || factor < 1) {
    validate.fail(where, "factor", "a finite number >= 1", factor)
  }
  const max = options.max === undefined ? Infinity : Duration.toMillis(validate.duration(where, "max", options.max))
  if (base > max) validate.fail(where, "base", `at most max (${max} millis)`, options.base)
  const jitter = validate.between(where, "jitter", options.jitter ?? 0.2, 0, 1, true)
  return {
    delay: (attempt) =>
      jittered(
        Math.min(max, base * Math.pow(factor, Math.max(0, attempt - 1))),
        jitter,
        (millis) => Duration.millis(Math.min(max, millis))
      )
  }
}

/** @internal */
export const fromSchedule = (schedule: Schedule.Schedule<unknown, number>): Delays.Delays => {
  if (!isSchedule(schedule)) validate.fail("Delays.fromSchedule", "schedule", "a Schedule", schedule)
  return {
    delay: (attempt) =>
      Effect.suspend(() => {
        // Drive a fresh copy of the schedule on a virtual clock from 0: the
        // delay before attempt n is the gap before the schedule's n-th recurrence.
        let state = schedule.initial
        let now = 0
        let gap = 0
        const loop = (n: number): Effect.Effect<Duration.Duration> =>
          n > attempt
            ? Effect.succeed(Duration.millis(gap))
            : Effect.flatMap(schedule.step(now, n, state), ([next, _, decision]) => {
              if (ScheduleDecision.isDone(decision)) return Effect.succeed(Duration.infinity)
              const start = Math.max(now, Intervals.start(decision.intervals))
              gap = start - now
              now = start
              state = next
              return loop(n + 1)
            })
        return loop(1)
      })
  }
}

// ---------------------------------------------------------------------------
// percentile
// ---------------------------------------------------------------------------

const GROWTH = 1.02
const FLOOR_MILLIS = 0.1

interface KeyState {
  readonly counts: Array<Uint32Array>
  readonly starts: Float64Array
  lastUsed: number
}

/** @internal */
export const percentile = (options?: Delays.Delays.PercentileOptions): Effect.Effect<Delays.Delays> => {
  const where = "Delays.percentile"
  validate.optionsBag(where, options)
  const p = validate.between(where, "percentile", options?.percentile ?? 0.95, 0, 1, false)
  const min = Duration.toMillis(validate.duration(where, "min", options?.min ?? "50 millis"))
  const max = Duration.toMillis(validate.duration(where, "max", options?.max ?? "10 seconds"))
  if (min > max) validate.fail(where, "min", `at most max (${max} millis)`, options?.min)
  const window = Duration.toMillis(
    validate.duration(where, "window", options?.window ?? "5 minutes", { positive: true })
  )
  const buckets = validate.integer(where, "buckets", options?.buckets ?? 2, 1)
  const maxKeys = validate.integer(where, "maxKeys", options?.maxKeys ?? 1024, 1)
  const span = window / buckets
  // bin 0 holds latencies below FLOOR_MILLIS, bin i ≥ 1 holds [FLOOR·G^(i-1), FLOOR·G^i)
  const bins = 2 + Math.ceil(Math.log(Math.max(max, FLOOR_MILLIS) / FLOOR_MILLIS) / Math.log(GROWTH))
  const binOf = (millis: number) =>
    millis < FLOOR_MILLIS ? 0 : Math.min(bins - 1, 1 + Math.floor(Math.log(millis / FLOOR_MILLIS) / Math.log(GROWTH)))
  const upperOf = (bin: number) => FLOOR_MILLIS * Math.pow(GROWTH, bin)

  return Effect.sync(() => {
    // Per-instance state, owned by this Delays value and touched only inside
    // `Effect.sync`, so each read or update runs without interleaving.
    const keys = new Map<string, KeyState>()

    const rotate = (state: KeyState, now: number) => {
      for (let i = 0; i < buckets; i++) {
        if (state.starts[i] !== -Infinity && now - state.starts[i]! >= window) {
          state.counts[i]!.fill(0)
          state.starts[i] = -Infinity
        }
      }
    }

    const currentBucket = (state: KeyState, now: number): Uint32Array => {
      let newest = 0
      for (let i = 1; i < buckets; i++) if (state.starts[i]! > state.starts[newest]!) newest = i
      if (now - state.starts[newest]! < span) return state.counts[newest]!
      // open a new bucket in place of the oldest
      let oldest = 0
      for (let i = 1; i < buckets; i++) if (state.starts[i]! < state.starts[oldest]!) oldest = i
      state.counts[oldest]!.fill(0)
      state.starts[oldest] = now
      return state.counts[oldest]!
    }

    const evictIfFull = () => {
      if (keys.size < maxKeys) return
      let victim: string | undefined
      let oldest = Infinity
      for (const [key, state] of keys) {
        if (state.lastUsed < oldest) {
          oldest = state.lastUsed
          victim = key
        }
      }
      if (victim !== undefined) keys.delete(victim)
    }

    const quantile = (state: KeyState, now: number): number | undefined => {
      rotate(state, now)
      let total = 0
      for (const counts of state.counts) for (let b = 0; b < bins; b++) total += counts[b]!
      if (total === 0) return undefined
      const rank = Math.ceil(p * total)
      let seen = 0
      for (let b = 0; b < bins; b++) {
        for (const counts of state.counts) seen += counts[b]!
        if (seen >= rank) return b === 0 ? FLOOR_MILLIS : Math.sqrt(upperOf(b - 1) * upperOf(b))
      }
      return max
    }

    const delays: Delays.Delays = {
      delay: (attempt, key) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const state = keys.get(key)
          const q = state === undefined ? undefined : quantile(state, now)
          const base = q === undefined ? min : Math.min(max, Math.max(min, q))
          return Duration.millis(base * attempt)
        }),
      observe: (key, latency) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          let state = keys.get(key)
          if (state === undefined) {
            evictIfFull()
            state = {
              counts: Array.from({ length: buckets }, () => new Uint32Array(bins)),
              starts: new Float64Array(buckets).fill(-Infinity),
              lastUsed: now
            }
            keys.set(key, state)
          }
          state.lastUsed = now
          const bucket = currentBucket(state, now)
          bucket[binOf(Duration.toMillis(latency))]!++
        })
    }
    return delays
  })
}
