/**
 * RetryBudget.layerConfig on both lines: the options read from Config, an invalid one a failure
 * naming it (the kit maps the Config API, which differs between the lines).
 */
import { RetryBudget } from "@aio-request/line/core"
import {
  assert,
  configDuration,
  configNumber,
  configValues,
  describe,
  Effect,
  Exit,
  failureOption,
  it,
  Layer,
  Option
} from "@aio-request/line/testkit"

describe("RetryBudget layers", () => {
  it.effect("layerConfig reads the options from Config", () =>
    Effect.gen(function*() {
      const fromConfig = (values: Record<string, string>) =>
        RetryBudget.layerConfig({
          ratio: configNumber("RATIO"),
          minPerSecond: configNumber("MIN"),
          ttl: configDuration("TTL")
        }).pipe(Layer.provide(configValues(values)))
      const withdrawals = Effect.flatMap(
        RetryBudget.RetryBudget,
        (budget) => Effect.all(Array.from({ length: 5 }, () => budget.tryWithdraw))
      )
      const granted = yield* Effect.provide(withdrawals, fromConfig({ RATIO: "0", MIN: "2", TTL: "1 second" }))
      assert.deepStrictEqual(granted, [true, true, false, false, false])
      const bad = yield* Effect.exit(
        Effect.provide(withdrawals, fromConfig({ RATIO: "-1", MIN: "2", TTL: "1 second" }))
      )
      assert.isTrue(Exit.isFailure(bad))
      if (Exit.isFailure(bad)) assert.include(String(Option.getOrThrow(failureOption(bad.cause))), "ratio")
    }))
})
