import * as kernel from "@aio-request/kernel/retryBudget"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type * as RB from "../RetryBudget.js"
import * as validate from "./validate.js"

/**
 * The Effect glue of the retry budget: options, the Reference, the Clock
 * read. The arithmetic is the kernel's `Budget` (@aio-request/kernel/retryBudget).
 */

/** @internal */
export const unlimited: RB.RetryBudget.Service = {
  deposit: Effect.void,
  tryWithdraw: Effect.succeed(true)
}

/** @internal */
export const RetryBudget: Context.Reference<RB.RetryBudget.Service> = Context.Reference(
  "@aio-request/core/RetryBudget",
  { defaultValue: (): RB.RetryBudget.Service => unlimited }
)

/** @internal */
export const make = (options?: RB.RetryBudget.Options): Effect.Effect<RB.RetryBudget.Service> =>
  makeAs("RetryBudget.make", options)

/** `make`, naming `where` (the public constructor called) in its option errors. */
const makeAs = (where: string, options: RB.RetryBudget.Options | undefined): Effect.Effect<RB.RetryBudget.Service> => {
  validate.optionsBag(where, options)
  const ratio = validate.finiteAtLeast(where, "ratio", options?.ratio ?? 0.2, 0)
  const minPerSecond = validate.finiteAtLeast(where, "minPerSecond", options?.minPerSecond ?? 10, 0)
  const ttl = validate.duration(where, "ttl", options?.ttl ?? "10 seconds", { positive: true })
  const settings: kernel.Settings = { ratio, minPerSecond, ttlMillis: Duration.toMillis(ttl) }

  return Effect.map(
    Ref.make(new kernel.Budget(settings)),
    (ref): RB.RetryBudget.Service => ({
      deposit: Effect.clockWith((clock) =>
        Ref.modify(ref, (budget): [void, kernel.Budget] => {
          budget.deposit(clock.currentTimeMillisUnsafe())
          return [undefined, budget]
        })
      ),
      tryWithdraw: Effect.clockWith((clock) =>
        Ref.modify(
          ref,
          (budget): [boolean, kernel.Budget] => [budget.tryWithdraw(clock.currentTimeMillisUnsafe()), budget]
        )
      )
    })
  )
}

/** @internal */
export const layer = (options?: RB.RetryBudget.Options): Layer.Layer<never> =>
  Layer.effect(RetryBudget, makeAs("RetryBudget.layer", options))

/** @internal */
export const layerConfig = (
  config: Config.Wrap<RB.RetryBudget.Options>
): Layer.Layer<never, Config.ConfigError> =>
  Layer.effect(
    RetryBudget,
    Effect.flatMap(Config.unwrap(validate.record("RetryBudget.layerConfig", "config", config)), (values) =>
      Effect.flatten(Effect.try({
        try: () =>
          makeAs("RetryBudget.layerConfig", values),
        catch: (error) =>
          new Config.ConfigError(
            new ConfigProvider.SourceError({ message: error instanceof Error ? error.message : String(error) })
          )
      })))
  )
