import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type * as RB from "../RetryBudget.js"
import { RetryBudget } from "../RetryBudget.js"
import * as validate from "./validate.js"

/** @internal */
export const unlimited: RB.RetryBudget.Service = {
  deposit: Effect.void,
  tryWithdraw: Effect.succeed(true)
}

const where = "RetryBudget.make"

/** How many buckets the `ttl` window slides by. */
const buckets = 10

/** Absorbs rounding in `ratio × deposits` (0.29 × 100 = 28.999…). */
const epsilon = 1e-9

/**
 * The sliding window of deposits and withdrawals: `buckets` slots of three
 * numbers (bucket id = floor(time / bucket length), deposits, withdrawals).
 */
type Window = Array<number>

/** @internal */
export const make = (options?: RB.RetryBudget.Options): Effect.Effect<RB.RetryBudget.Service> => {
  const ratio = options?.ratio ?? 0.2
  if (typeof ratio !== "number" || !Number.isFinite(ratio) || ratio < 0) {
    validate.fail(where, "ratio", "a finite number >= 0", ratio)
  }
  const minPerSecond = options?.minPerSecond ?? 10
  if (typeof minPerSecond !== "number" || !Number.isFinite(minPerSecond) || minPerSecond < 0) {
    validate.fail(where, "minPerSecond", "a finite number >= 0", minPerSecond)
  }
  const ttl = validate.duration(where, "ttl", options?.ttl ?? "10 seconds", { positive: true })
  const ttlMillis = Duration.toMillis(ttl)
  const bucketMillis = ttlMillis / buckets
  const reserve = minPerSecond * ttlMillis / 1000

  /** Moves the window to `now` and returns the slot of the current bucket. */
  const slotAt = (window: Window, now: number): number => {
    const bucket = Math.floor(now / bucketMillis)
    const slot = (((bucket % buckets) + buckets) % buckets) * 3
    if (window[slot] !== bucket) {
      window[slot] = bucket
      window[slot + 1] = 0
      window[slot + 2] = 0
    }
    return slot
  }

  const balance = (window: Window, now: number): number => {
    const oldest = Math.floor(now / bucketMillis) - buckets
    let deposits = 0
    let withdrawals = 0
    for (let i = 0; i < window.length; i += 3) {
      if (window[i]! > oldest) {
        deposits += window[i + 1]!
        withdrawals += window[i + 2]!
      }
    }
    return reserve + ratio * deposits - withdrawals
  }

  return Effect.map(Ref.make<Window>(emptyWindow()), (ref): RB.RetryBudget.Service => ({
    deposit: Effect.clockWith((clock) =>
      Ref.modify(ref, (window) => {
        window[slotAt(window, clock.unsafeCurrentTimeMillis()) + 1]!++
        return [undefined, window]
      })
    ),
    tryWithdraw: Effect.clockWith((clock) =>
      Ref.modify(ref, (window) => {
        const now = clock.unsafeCurrentTimeMillis()
        const slot = slotAt(window, now)
        if (balance(window, now) < 1 - epsilon) return [false, window]
        window[slot + 2]!++
        return [true, window]
      })
    )
  }))
}

const emptyWindow = (): Window => {
  const window = new Array<number>(buckets * 3)
  for (let i = 0; i < window.length; i += 3) {
    window[i] = Number.NEGATIVE_INFINITY
    window[i + 1] = 0
    window[i + 2] = 0
  }
  return window
}

/** @internal */
export const layer = (options?: RB.RetryBudget.Options): Layer.Layer<RetryBudget> =>
  Layer.effect(RetryBudget, make(options))

/** @internal */
export const layerConfig = (
  config: Config.Config.Wrap<RB.RetryBudget.Options>
): Layer.Layer<RetryBudget, ConfigError.ConfigError> =>
  Layer.effect(
    RetryBudget,
    Effect.flatMap(Config.unwrap(config), (values) =>
      Effect.flatten(Effect.try({
        try: () => make(values),
        catch: (error) => ConfigError.InvalidData([], error instanceof Error ? error.message : String(error))
      })))
  )
