import * as kernel from "@aio-request/kernel/delays"
import { format as formatMillis } from "@aio-request/kernel/duration"
import { Digest } from "@aio-request/kernel/percentile"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as Delays from "../Delays.js"
import { type DurationInput, scheduleStepper } from "./line.js"
import * as validate from "./validate.js"

/**
 * The Effect glue of `Delays`: options, the `Random` draw, the Clock read,
 * Duration at the boundary. The formulas and the percentile digest are the
 * kernel's (@aio-request/kernel/delays, @aio-request/kernel/percentile).
 */

/** `millis` jittered (`kernel.jitter`) with one `Random` draw, then `finish`ed. */
const jittered = <X>(millis: number, jitter: number, finish: (millis: number) => X): Effect.Effect<X> =>
  kernel.isJittered(millis, jitter)
    ? Effect.map(Random.next, (v) => finish(kernel.jitter(millis, jitter, v)))
    : Effect.succeed(finish(millis))

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
export const constant = (delay: DurationInput): Delays.Delays => {
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
    delay: (attempt) => jittered(kernel.linear(min, multiplier, attempt), jitter, Duration.millis)
  }
}

/** @internal */
export const exponential = (options: Delays.Delays.ExponentialOptions): Delays.Delays => {
  const where = "Delays.exponential"
  validate.record(where, "options", options)
  const base = Duration.toMillis(validate.duration(where, "base", options.base))
  const factor = validate.finiteAtLeast(where, "factor", options.factor ?? 2, 1)
  const max = options.max === undefined ? Infinity : Duration.toMillis(validate.duration(where, "max", options.max))
  if (base > max) validate.fail(where, "base", `at most max (${formatMillis(max)})`, Duration.millis(base))
  const jitter = validate.between(where, "jitter", options.jitter ?? 0.2, 0, 1, true)
  return {
    delay: (attempt) =>
      jittered(
        kernel.exponential(base, factor, max, attempt),
        jitter,
        (millis) => Duration.millis(Math.min(max, millis))
      )
  }
}

/** @internal */
export const fromSchedule = (schedule: Schedule.Schedule<unknown, number>): Delays.Delays => {
  if (!Schedule.isSchedule(schedule)) validate.fail("Delays.fromSchedule", "schedule", "a Schedule", schedule)
  return {
    delay: (attempt) =>
      // Drive a fresh copy of the schedule on a virtual clock from 0: the
      // delay before attempt n is the gap before the schedule's n-th recurrence.
      Effect.flatMap(scheduleStepper(schedule), (step) => {
        let now = 0
        let gap = 0
        const loop = (n: number): Effect.Effect<Duration.Duration> =>
          n > attempt
            ? Effect.succeed(Duration.millis(gap))
            : Effect.flatMap(step(now, n), (next) => {
              // undefined: the schedule is done
              if (next === undefined) return Effect.succeed(Duration.infinity)
              gap = next
              now += next
              return loop(n + 1)
            })
        return loop(1)
      })
  }
}

// ---------------------------------------------------------------------------
// percentile
// ---------------------------------------------------------------------------

/** @internal */
export const percentile = (options?: Delays.Delays.PercentileOptions): Effect.Effect<Delays.Delays> => {
  const where = "Delays.percentile"
  validate.optionsBag(where, options)
  const p = validate.between(where, "percentile", options?.percentile ?? 0.95, 0, 1, false)
  const min = Duration.toMillis(validate.duration(where, "min", options?.min ?? "50 millis"))
  const max = Duration.toMillis(validate.duration(where, "max", options?.max ?? "10 seconds"))
  if (min > max) validate.fail(where, "min", `at most max (${formatMillis(max)})`, Duration.millis(min))
  const window = Duration.toMillis(
    validate.duration(where, "window", options?.window ?? "5 minutes", { positive: true })
  )
  const buckets = validate.integer(where, "buckets", options?.buckets ?? 2, 1)
  const maxKeys = validate.integer(where, "maxKeys", options?.maxKeys ?? 1024, 1)

  return Effect.sync(() => {
    // Per-instance state, owned by this Delays value and touched only inside
    // `Effect.map` over a Clock read, so each read or update runs without interleaving.
    const digest = new Digest({ percentile: p, minMillis: min, maxMillis: max, windowMillis: window, buckets, maxKeys })
    const delays: Delays.Delays = {
      delay: (attempt, key) =>
        Effect.map(Clock.currentTimeMillis, (now) => Duration.millis(digest.delay(key, attempt, now))),
      observe: (key, latency) =>
        Effect.map(Clock.currentTimeMillis, (now) => digest.observe(key, Duration.toMillis(latency), now))
    }
    return delays
  })
}
