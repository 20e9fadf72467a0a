/**
 * `ResilientHttpClient` on both lines: options refused at construction, typed errors of an
 * endpointProvider, an enrich and a path parameter, and the caller leaving (499). Once Effect 3
 * only (packages/platform/test/ResilientHttpClient.test.ts).
 */
import { HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  eventually,
  failureOf,
  Fiber,
  fork,
  histogram,
  HttpClientRequest,
  httpErrorOf,
  HttpServerRequest,
  HttpServerResponse,
  IllegalArgument,
  it,
  jsonResponse,
  Redacted,
  route,
  scopedLive,
  serve,
  undici
} from "@aio-request/line/platform-testkit"

/** Answers with the request's headers (Effect 4 holds a sensitive one as `Redacted`: revealed here). */
const echo = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Redacted.isRedacted(value) ? Redacted.value(value) : value
    ])
  )
  return jsonResponse({ url: request.url, method: request.method, headers })
})

interface Echo {
  readonly headers: Record<string, string>
}

describe("ResilientHttpClient options and bad input", () => {
  it("rejects a relative or malformed endpoint, and both or neither of endpoint / endpointProvider", () => {
    const bad: ReadonlyArray<unknown> = [
      { endpoint: "users/" },
      { endpoint: "/api" },
      { endpoint: "http://" },
      { endpoint: "ftp://example.test/" },
      { endpoint: "http://127.0.0.1/", endpointProvider: Effect.succeed("http://127.0.0.1/") },
      {},
      { endpoint: "http://127.0.0.1/", connectionAttempts: 0 },
      { endpoint: "http://127.0.0.1/", maxRedirects: -1 },
      { endpoint: "http://127.0.0.1/", timeout: -5 },
      { endpoint: "http://127.0.0.1/", priority: "urgent" }
    ]
    for (const options of bad) {
      assert.throws(
        () => ResilientHttpClient.make(options as ResilientHttpClient.Options),
        IllegalArgument,
        undefined,
        JSON.stringify(options)
      )
    }
  })

  scopedLive(
    "an endpointProvider or enrich that fails is a typed error, and other requests are unaffected",
    () =>
      Effect.gen(function*() {
        const url = yield* serve(route("/*", echo))
        const failingProvider = yield* ResilientHttpClient.make({ endpointProvider: Effect.fail("discovery down") })
        const relativeProvider = yield* ResilientHttpClient.make({ endpointProvider: Effect.succeed("relative/") })
        const enrich = (request: HttpClientRequest.HttpClientRequest) =>
          request.url.endsWith("/bad")
            ? Effect.fail("no token")
            : Effect.succeed(HttpClientRequest.bearerToken(request, "t"))
        const enriched = yield* ResilientHttpClient.make({ endpointProvider: Effect.succeed(new URL(url)), enrich })

        const [provider, relative, bad, good] = yield* Effect.all([
          Effect.exit(failingProvider.execute(HttpRequest.get("x"))),
          Effect.exit(relativeProvider.execute(HttpRequest.get("x"))),
          Effect.exit(enriched.execute(HttpRequest.get("bad"))),
          Effect.flatMap(enriched.execute(HttpRequest.get("good")), (r) => r.json)
        ], { concurrency: "unbounded" })

        const providerError = failureOf(provider)
        assert.strictEqual(providerError._tag, "EndpointError")
        assert.strictEqual((providerError as ResilientHttpClient.EndpointError).reason, "ProviderFailed")
        assert.strictEqual((providerError as ResilientHttpClient.EndpointError).cause, "discovery down")
        const relativeError = failureOf(relative) as ResilientHttpClient.EndpointError
        assert.deepStrictEqual([relativeError._tag, relativeError.reason], ["EndpointError", "Invalid"])
        const enrichError = failureOf(bad) as ResilientHttpClient.EnrichError
        assert.deepStrictEqual([enrichError._tag, enrichError.cause], ["EnrichError", "no token"])
        assert.strictEqual((good as unknown as Echo).headers["authorization"], "Bearer t")
      }).pipe(Effect.provide(undici))
  )

  scopedLive("a path parameter cannot leave its template", () =>
    Effect.gen(function*() {
      const url = yield* serve(route("/*", echo))
      const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api/` })
      const error = failureOf(
        yield* Effect.exit(client.execute(HttpRequest.get("users/{id}/x", { path: { id: ".." } })))
      )
      // Effect 3: a RequestError; Effect 4: an HttpClientError with an InvalidUrlError reason
      assert.strictEqual(httpErrorOf(error)?.side, "request")
      assert.strictEqual(httpErrorOf(error)?.reason, "InvalidUrl")
    }).pipe(Effect.provide(undici)))

  scopedLive("the caller leaving interrupts the request and records 499", () =>
    Effect.gen(function*() {
      let started = 0
      const url = yield* serve(
        route(
          "/*",
          Effect.andThen(
            Effect.sync(() => {
              started++
            }),
            Effect.as(Effect.sleep("5 seconds"), HttpServerResponse.empty())
          )
        )
      )
      const client = yield* ResilientHttpClient.make({ endpoint: url })
      const fiber = yield* fork(client.execute(HttpRequest.get("slow")))
      assert.strictEqual(yield* eventually(Effect.sync(() => started), (n) => n === 1), 1)
      yield* Fiber.interrupt(fiber)
      const latency = yield* histogram(HttpMetrics.clientLatency, {
        request_endpoint: `${url}/`,
        request_method: "GET",
        request_path: "slow",
        response_status: "499",
        circuit_breaker: "false"
      })
      assert.strictEqual(latency.count, 1)
    }).pipe(Effect.provide(undici)))
})
