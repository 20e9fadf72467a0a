/**
 * RetryBudget.layerConfig on Effect 4: the counterpart of
 * packages/core/test/RetryBudget.config.test.ts (Config and ConfigProvider differ).
 */
import { RetryBudget } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Result } from "effect"

describe("RetryBudget layers", () => {
  it.effect("layerConfig reads the options from Config", () =>
    Effect.gen(function*() {
      const fromConfig = (values: Record<string, string>) =>
        RetryBudget.layerConfig({
          ratio: Config.Number("RATIO"),
          minPerSecond: Config.Number("MIN"),
          ttl: Config.Duration("TTL")
        }).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(values))))
      const withdrawals = Effect.flatMap(
        RetryBudget.RetryBudget,
        (budget) => Effect.all(Array.from({ length: 5 }, () => budget.tryWithdraw))
      )
      const granted = yield* Effect.provide(withdrawals, fromConfig({ RATIO: "0", MIN: "2", TTL: "1 second" }))
      assert.deepStrictEqual(granted, [true, true, false, false, false])
      const bad = yield* Effect.result(
        Effect.provide(withdrawals, fromConfig({ RATIO: "-1", MIN: "2", TTL: "1 second" }))
      )
      assert.isTrue(Result.isFailure(bad))
      if (Result.isFailure(bad)) assert.include(String(bad.failure), "ratio")
    }))
})
