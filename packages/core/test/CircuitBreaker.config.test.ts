/**
 * CircuitBreaker's layers on Effect 3: its Config and ConfigProvider API differ from
 * Effect 4's (effect4/core/test/CircuitBreaker.config.test.ts is the counterpart).
 */
import { CircuitBreaker } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Either, Exit, Layer, Option } from "effect"

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
          breakDuration: Config.duration("BREAK"),
          samplingDuration: Config.duration("SAMPLING"),
          minimumThroughput: Config.integer("MIN"),
          failureThreshold: Config.number("THRESHOLD")
        }).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values))))))
      const good = { BREAK: "1 second", SAMPLING: "1 second", MIN: "2", THRESHOLD: "0.5" }
      assert.strictEqual(yield* Effect.provide(useIt, fromConfig(good)), "open")
      const bad = yield* Effect.either(Effect.provide(useIt, fromConfig({ ...good, THRESHOLD: "1.5" })))
      assert.isTrue(Either.isLeft(bad))
      assert.include(String(Either.getLeft(bad).pipe(Option.getOrThrow)), "failureThreshold")
      const missing = yield* Effect.either(Effect.provide(useIt, fromConfig({ BREAK: "1 second" })))
      assert.isTrue(Either.isLeft(missing))
    }))
})
