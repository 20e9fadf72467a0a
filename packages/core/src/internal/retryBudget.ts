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

/** How many buckets the `ttl` window slides by. */
const buckets = 10

/** Absorbs rounding in `ratio × deposits` (0.29 × 100 = 28.999…). */
const epsilon = 1e-9

const nonNegative = (where: string, option: string, value: number): number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0
    ? value
    : validate.fail(where, option, "a finite number >= 0", value)

/** @internal */
export const make = (options?: RB.RetryBudget.Options): Effect.Effect<RB.RetryBudget.Service> =>
  makeAs("RetryBudget.make", options)

/** `make`, naming `where` (the public constructor called) in its option errors. */
const makeAs = (where: string, options: RB.RetryBudget.Options | undefined): Effect.Effect<RB.RetryBudget.Service> => {
  validate.optionsBag(where, options)
  const ratio = nonNegative(where, "ratio", options?.ratio ?? 0.2)
  const minPerSecond = nonNegative(where, "minPerSecond", options?.minPerSecond ?? 10)
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
  Layer.effect(RetryBudget, makeAs("RetryBudget.layer", options))

/** @internal */
export const layerConfig = (
  config: Config.Config.Wrap<RB.RetryBudget.Options>
): Layer.Layer<RetryBudget, ConfigError.ConfigError> =>
  Layer.effect(
    RetryBudget,
    Effect.flatMap(Config.unwrap(validate.record("RetryBudget.layerConfig", "config", config)), (values) =>
      Effect.flatten(Effect.try({
        try: () =>
          makeAs("RetryBudget.layerConfig", values),
        catch: (error) => ConfigError.InvalidData([], error instanceof Error ? error.message : String(error))
      })))
  )
