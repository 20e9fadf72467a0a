import * as kernel from "@aio-request/kernel/retryBudget"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type * as RB from "../RetryBudget.js"
import { type ConfigError, configError, type ConfigWrap, currentTimeMillis, type Provided, Reference } from "./line.js"
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
export class RetryBudget extends Reference<RetryBudget>()("@aio-request/core/RetryBudget", {
  defaultValue: (): RB.RetryBudget.Service => unlimited
}) {}

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
          budget.deposit(currentTimeMillis(clock))
          return [undefined, budget]
        })
      ),
      tryWithdraw: Effect.clockWith((clock) =>
        Ref.modify(
          ref,
          (budget): [boolean, kernel.Budget] => [budget.tryWithdraw(currentTimeMillis(clock)), budget]
        )
      )
    })
  )
}

/** @internal */
export const layer = (options?: RB.RetryBudget.Options): Layer.Layer<Provided<RetryBudget>> =>
  Layer.effect(RetryBudget, makeAs("RetryBudget.layer", options))

/** @internal */
export const layerConfig = (
  config: ConfigWrap<RB.RetryBudget.Options>
): Layer.Layer<Provided<RetryBudget>, ConfigError> =>
  Layer.effect(
    RetryBudget,
    Effect.flatMap(Config.unwrap(validate.record("RetryBudget.layerConfig", "config", config)), (values) =>
      Effect.flatten(Effect.try({
        try: () =>
          makeAs("RetryBudget.layerConfig", values),
        catch: (error) => configError(error instanceof Error ? error.message : String(error))
      })))
  )
