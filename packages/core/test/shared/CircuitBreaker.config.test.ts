/**
 * CircuitBreaker's layers on both lines: layer, layerConfig and noop provide the service; an
 * invalid or missing config value fails the layer (the kit maps the Config API, which differs
 * between the lines).
 */
import { CircuitBreaker } from "@aio-request/line/core"
import {
  assert,
  configDuration,
  configInteger,
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
          breakDuration: configDuration("BREAK"),
          samplingDuration: configDuration("SAMPLING"),
          minimumThroughput: configInteger("MIN"),
          failureThreshold: configNumber("THRESHOLD")
        }).pipe(Layer.provide(configValues(values)))
      const good = { BREAK: "1 second", SAMPLING: "1 second", MIN: "2", THRESHOLD: "0.5" }
      assert.strictEqual(yield* Effect.provide(useIt, fromConfig(good)), "open")
      const bad = yield* Effect.exit(Effect.provide(useIt, fromConfig({ ...good, THRESHOLD: "1.5" })))
      assert.isTrue(Exit.isFailure(bad))
      if (Exit.isFailure(bad)) assert.include(String(Option.getOrThrow(failureOption(bad.cause))), "failureThreshold")
      const missing = yield* Effect.exit(Effect.provide(useIt, fromConfig({ BREAK: "1 second" })))
      assert.isTrue(Exit.isFailure(missing))
    }))
})
