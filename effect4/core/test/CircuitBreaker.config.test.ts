/**
 * CircuitBreaker's layers on Effect 4: the counterpart of
 * packages/core/test/CircuitBreaker.config.test.ts (Config and ConfigProvider differ).
 */
import { CircuitBreaker } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Exit, Layer, Result } from "effect"

const options: CircuitBreaker.CircuitBreaker.Options = {
  breakDuration: "1 second",
  samplingDuration: "1 second",
  minimumThroughput: 2,
  failureThreshold: 0.5
}

const isFailure = Exit.isFailure

describe("CircuitBreaker layers", () => {
  it.effect("layer, layerConfig and noop provide the service", () =>
    Effect.gen(function*() {
      const useIt = Effect.gen(function*() {
        const breaker = yield* CircuitBreaker.CircuitBreaker
        yield* Effect.exit(breaker.execute("a", Effect.fail(1), isFailure))
        yield* Effect.exit(breaker.execute("a", Effect.fail(1), isFailure))
        return (yield* breaker.state).get("a")
      })
      assert.strictEqual(yield* Effect.provide(useIt, CircuitBreaker.layer(options)), "open")
      assert.strictEqual(yield* Effect.provide(useIt, CircuitBreaker.noop), undefined)

      const fromConfig = (values: Record<string, string>) =>
        CircuitBreaker.layerConfig({
          breakDuration: Config.Duration("BREAK"),
          samplingDuration: Config.Duration("SAMPLING"),
          minimumThroughput: Config.Int("MIN"),
          failureThreshold: Config.Number("THRESHOLD")
        }).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(values))))
      const good = { BREAK: "1 second", SAMPLING: "1 second", MIN: "2", THRESHOLD: "0.5" }
      assert.strictEqual(yield* Effect.provide(useIt, fromConfig(good)), "open")
      const bad = yield* Effect.result(Effect.provide(useIt, fromConfig({ ...good, THRESHOLD: "1.5" })))
      assert.isTrue(Result.isFailure(bad))
      if (Result.isFailure(bad)) assert.include(String(bad.failure), "failureThreshold")
      const missing = yield* Effect.result(Effect.provide(useIt, fromConfig({ BREAK: "1 second" })))
      assert.isTrue(Result.isFailure(missing))
    }))
})
