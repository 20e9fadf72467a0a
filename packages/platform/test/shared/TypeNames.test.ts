/**
 * Issue 21, item 4: the option and error types are exported where a user
 * looks for them, `ResilientHttpClient.Options` as well as
 * `ResilientHttpClient.ResilientHttpClient.Options`, on both lines.
 */
import { CircuitBreaker, ConcurrencyLimit, Delays, RetryBudget, Strategy } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/line/platform"
import { describe, expectTypeOf, it } from "@aio-request/line/platform-testkit"

describe("type names at the module level", () => {
  it("core: options and services", () => {
    expectTypeOf<CircuitBreaker.Options>().toEqualTypeOf<CircuitBreaker.CircuitBreaker.Options>()
    expectTypeOf<CircuitBreaker.ConfigOptions>().toEqualTypeOf<CircuitBreaker.CircuitBreaker.ConfigOptions>()
    expectTypeOf<CircuitBreaker.Service>().toEqualTypeOf<CircuitBreaker.CircuitBreaker.Service>()
    expectTypeOf<CircuitBreaker.StateChange>().toEqualTypeOf<CircuitBreaker.CircuitBreaker.StateChange>()
    expectTypeOf<ConcurrencyLimit.Options>().toEqualTypeOf<ConcurrencyLimit.ConcurrencyLimit.Options>()
    expectTypeOf<ConcurrencyLimit.Shares>().toEqualTypeOf<ConcurrencyLimit.ConcurrencyLimit.Shares>()
    expectTypeOf<ConcurrencyLimit.AimdOptions>().toEqualTypeOf<ConcurrencyLimit.Limit.AimdOptions>()
    expectTypeOf<ConcurrencyLimit.Gradient2Options>().toEqualTypeOf<ConcurrencyLimit.Limit.Gradient2Options>()
    expectTypeOf<RetryBudget.Options>().toEqualTypeOf<RetryBudget.RetryBudget.Options>()
    expectTypeOf<Strategy.SequentialOptions>().toEqualTypeOf<Strategy.Strategy.SequentialOptions>()
    expectTypeOf<Strategy.ParallelOptions>().toEqualTypeOf<Strategy.Strategy.ParallelOptions>()
    expectTypeOf<Delays.LinearOptions>().toEqualTypeOf<Delays.Delays.LinearOptions>()
  })

  it("platform: options and errors", () => {
    expectTypeOf<ResilientHttpClient.Options>().toEqualTypeOf<ResilientHttpClient.ResilientHttpClient.Options>()
    expectTypeOf<ResilientHttpClient.CommonOptions>().toEqualTypeOf<
      ResilientHttpClient.ResilientHttpClient.CommonOptions
    >()
    expectTypeOf<HttpRequest.Options>().toEqualTypeOf<HttpRequest.HttpRequest.Options>()
    expectTypeOf<HttpRequest.Options<"users/{id}">>().toEqualTypeOf<HttpRequest.HttpRequest.Options<"users/{id}">>()
    expectTypeOf<HttpRequest.Query>().toEqualTypeOf<HttpRequest.HttpRequest.Query>()
    expectTypeOf<ServerMiddleware.Options>().toBeObject()
    expectTypeOf<ResilientHttpClient.Error>().toMatchTypeOf<{ readonly _tag: string }>()
  })
})
