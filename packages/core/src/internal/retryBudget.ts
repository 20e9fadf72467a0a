import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type * as RB from "../RetryBudget.js"
import { RetryBudget } from "../RetryBudget.js"
import { RollingWindow } from "./rollingWindow.js"
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

  const DEPOSITS = 0
  const WITHDRAWALS = 1
  const balance = (window: RollingWindow, now: number): number =>
    reserve + ratio * window.sum(now, DEPOSITS) - window.sum(now, WITHDRAWALS)

  return Effect.map(
    Ref.make(new RollingWindow(buckets, bucketMillis)),
    (ref): RB.RetryBudget.Service => ({
      deposit: Effect.clockWith((clock) =>
        Ref.modify(ref, (window) => {
          window.add(clock.unsafeCurrentTimeMillis(), DEPOSITS)
          return [undefined, window]
        })
      ),
      tryWithdraw: Effect.clockWith((clock) =>
        Ref.modify(ref, (window) => {
          const now = clock.unsafeCurrentTimeMillis()
          if (balance(window, now) < 1 - epsilon) return [false, window]
          window.add(now, WITHDRAWALS)
          return [true, window]
        })
      )
    })
  )
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
