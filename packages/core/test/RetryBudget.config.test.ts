/**
 * RetryBudget.layerConfig on Effect 3: its Config and ConfigProvider API differ from
 * Effect 4's (effect4/core/test/RetryBudget.config.test.ts is the counterpart).
 */
import { RetryBudget } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Either, Layer, Option } from "effect"

describe("RetryBudget layers", () => {
  it.effect("layerConfig reads the options from Config", () =>
    Effect.gen(function*() {
      const fromConfig = (values: Record<string, string>) =>
        RetryBudget.layerConfig({
          ratio: Config.number("RATIO"),
          minPerSecond: Config.number("MIN"),
          ttl: Config.duration("TTL")
        }).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values))))))
      const withdrawals = Effect.flatMap(
        RetryBudget.RetryBudget,
        (budget) => Effect.all(Array.from({ length: 5 }, () => budget.tryWithdraw))
      )
      const granted = yield* Effect.provide(withdrawals, fromConfig({ RATIO: "0", MIN: "2", TTL: "1 second" }))
      assert.deepStrictEqual(granted, [true, true, false, false, false])
      const bad = yield* Effect.either(
        Effect.provide(withdrawals, fromConfig({ RATIO: "-1", MIN: "2", TTL: "1 second" }))
      )
      assert.isTrue(Either.isLeft(bad))
      assert.include(String(Option.getOrThrow(Either.getLeft(bad))), "ratio")
    }))
})
