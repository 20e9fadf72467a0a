/**
 * `ResilientHttpClient` on both lines, over loopback HTTP (undici): what does not depend on
 * the line (system headers, deadline, priority, strategy, breaker, low-timeout threshold,
 * metrics, redirects, endpointProvider, spans). The line's own error shapes are tested in each
 * line's test/ResilientHttpClient.test.ts; more in ResilientHttpClient.{transports,errors}.test.ts.
 */
import { CircuitBreaker, Deadline, Delays, Priority, RetryBudget, Strategy } from "@aio-request/line/core"
import { HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  counter,
  describe,
  Effect,
  failureOf,
  histogram,
  HttpClient,
  HttpClientRequest,
  httpClientSpanName,
  it,
  recordSpans,
  undici
} from "@aio-request/line/platform-testkit"
import { createServer } from "node:http"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

interface Seen {
  readonly url: string
  readonly headers: Record<string, string | Array<string> | undefined>
}

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))

/** A loopback server answering with `handler` (`n`: the request's rank); its URL and what it received. */
const server = (handler: (request: IncomingMessage, response: ServerResponse, n: number) => void) => {
  const seen: Array<Seen> = []
  const s = createServer((request, response) => {
    seen.push({ url: request.url!, headers: request.headers })
    handler(request, response, seen.length)
  })
  return Effect.acquireRelease(
    Effect.promise(() =>
      listen(s).then(() => ({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, seen }))
    ),
    () =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          s.closeAllConnections()
          s.close(() => resolve())
        })
      )
  )
}

const status = (code: number) => (_: IncomingMessage, response: ServerResponse) => {
  response.writeHead(code)
  response.end("ok")
}

/** A live test with undici under the resilient client and a scope for the servers. */
const test = <E, R>(name: string, body: Effect.Effect<void, E, R>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body, undici)) as Effect.Effect<void, unknown>)

const noJitter = Delays.linear({ min: "10 millis", multiplier: "0 millis", jitter: 0 })

describe("ResilientHttpClient", () => {
  test(
    "sends the system headers and the service name, the URL resolved against the endpoint",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* ResilientHttpClient.make({
        endpoint: `${url}api/`,
        serviceName: "checkout",
        timeout: "2 seconds"
      })
      const response = yield* http.execute(HttpRequest.get("users/{id}", { path: { id: 42 } }))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(seen[0]!.url, "/api/users/42")
      assert.strictEqual(seen[0]!.headers["x-request-priority"], "normal")
      assert.strictEqual(seen[0]!.headers["x-service-name"], "checkout")
      assert.isUndefined(seen[0]!.headers["x-aio-request-path-template"])
      const timeout = Number(seen[0]!.headers["x-request-timeout"])
      assert.isTrue(timeout > 1.5 && timeout <= 2, `x-request-timeout ${timeout}`)
    })
  )

  test(
    "an inherited deadline and priority win over the options",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* ResilientHttpClient.make({ endpoint: url, priority: "low" })
      yield* http.execute(HttpClientRequest.get("x")).pipe(Deadline.within("500 millis"), Priority.withPriority("high"))
      const timeout = Number(seen[0]!.headers["x-request-timeout"])
      assert.isTrue(timeout > 0.3 && timeout <= 0.5, `x-request-timeout ${timeout}`)
      assert.strictEqual(seen[0]!.headers["x-request-priority"], "normal")
    })
  )

  test(
    "a slow upstream is cut at the deadline with DeadlineExceededError",
    Effect.gen(function*() {
      const { url } = yield* server((_, response) => {
        setTimeout(() => response.end("late"), 1000)
      })
      const http = yield* ResilientHttpClient.make({ endpoint: url, timeout: "150 millis", strategy: Strategy.single })
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("slow")))
      assert.strictEqual(failureOf(exit)._tag, "DeadlineExceededError")
    })
  )

  test(
    "sequential retries a 503 and returns the 200, counting the attempts in the metrics",
    Effect.gen(function*() {
      const { seen, url } = yield* server((_, response, n) => {
        response.writeHead(n < 3 ? 503 : 200)
        response.end()
      })
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
      })
      const response = yield* http.execute(HttpRequest.get("shared/{id}", { path: { id: 1 } }))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(seen.length, 3)
      const base = { request_endpoint: url, request_method: "GET", request_path: "shared/{id}" }
      assert.strictEqual(yield* counter(HttpMetrics.attempts, base), 3)
      assert.strictEqual(yield* counter(HttpMetrics.retries, base), 2)
      const latency = yield* histogram(HttpMetrics.clientLatency, {
        ...base,
        response_status: "200",
        circuit_breaker: "false"
      })
      assert.strictEqual(latency.count, 1)
      assert.strictEqual((yield* histogram(HttpMetrics.transportLatency, { ...base, response_status: "503" })).count, 2)
    })
  )

  test(
    "CurrentStrategy overrides the client's strategy",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
      })
      const response = yield* http.execute(HttpClientRequest.get("x")).pipe(Strategy.withStrategy(Strategy.single))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(seen.length, 1)
    })
  )

  test(
    "the circuit opens after failures and then fails fast without sending",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "10 seconds",
        samplingDuration: "10 seconds",
        minimumThroughput: 2,
        failureThreshold: 0.5
      })
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        circuitBreaker: breaker,
        strategy: Strategy.single
      })
      yield* http.execute(HttpClientRequest.get("x"))
      yield* http.execute(HttpClientRequest.get("x"))
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("x")))
      assert.strictEqual(failureOf(exit)._tag, "CircuitBreakerOpenError")
      assert.strictEqual(seen.length, 2)
      // the refusal is recorded as a 502 with circuit_breaker "true"
      const open = yield* histogram(HttpMetrics.clientLatency, {
        request_endpoint: url,
        request_method: "GET",
        request_path: "x",
        response_status: "502",
        circuit_breaker: "true"
      })
      assert.strictEqual(open.count, 1)
    })
  )

  test(
    "less time left than lowTimeoutThreshold: nothing is sent",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* ResilientHttpClient.make({ endpoint: url, lowTimeoutThreshold: "1 second" })
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("x")).pipe(Deadline.within("500 millis")))
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "DeadlineExceededError")
      assert.strictEqual((error as Deadline.DeadlineExceededError).reason, "below-threshold")
      assert.strictEqual(seen.length, 0)
    })
  )

  test(
    "redirects are followed; to another origin without the credential headers; too many fail",
    Effect.gen(function*() {
      const other = yield* server(status(200))
      const { seen, url } = yield* server((request, response) => {
        if (request.url === "/from") response.writeHead(302, { location: "/to" })
        else if (request.url === "/to") response.writeHead(307, { location: `${other.url}away` })
        else response.writeHead(302, { location: "/loop" })
        response.end()
      })
      const http = yield* ResilientHttpClient.make({ endpoint: url, maxRedirects: 2 })
      const response = yield* http.execute(
        HttpClientRequest.get("from").pipe(HttpClientRequest.setHeader("authorization", "Bearer t"))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(seen.map((s) => s.url), ["/from", "/to"])
      assert.strictEqual(seen[1]!.headers["authorization"], "Bearer t")
      assert.isUndefined(other.seen[0]!.headers["authorization"])
      const error = failureOf(yield* Effect.exit(http.execute(HttpClientRequest.get("loop"))))
      assert.strictEqual(error._tag, "TooManyRedirectsError")
    })
  )

  test(
    "endpointProvider: evaluated per request; a failure is an EndpointError",
    Effect.gen(function*() {
      const { url } = yield* server(status(200))
      const http = yield* ResilientHttpClient.make({ endpointProvider: Effect.succeed(url) })
      assert.strictEqual((yield* http.execute(HttpClientRequest.get("x"))).status, 200)
      const failing = yield* ResilientHttpClient.make({ endpointProvider: Effect.fail("no instance") })
      assert.strictEqual(
        failureOf(yield* Effect.exit(failing.execute(HttpClientRequest.get("x"))))._tag,
        "EndpointError"
      )
    })
  )

  // ---- once Effect 4 only (effect4/platform/test/ResilientHttpClient.test.ts), now on both lines ----

  test(
    "emitSystemHeaders: false sends none",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* ResilientHttpClient.make({ endpoint: url, emitSystemHeaders: false })
      yield* http.execute(HttpClientRequest.get("x"))
      assert.isUndefined(seen[0]!.headers["x-request-timeout"])
      assert.isUndefined(seen[0]!.headers["x-request-priority"])
    })
  )

  test(
    "a final 503 is returned as a response",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        strategy: Strategy.sequential({ attempts: 2, delays: noJitter })
      })
      const response = yield* http.execute(HttpClientRequest.get("x"))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(seen.length, 2)
    })
  )

  test(
    "an empty retry budget stops the retries",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const retryBudget = yield* RetryBudget.make({ ratio: 0.01, minPerSecond: 0.01 })
      // the first withdrawal may be granted by the floor: spend it
      yield* retryBudget.tryWithdraw
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        retryBudget,
        strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
      })
      const response = yield* http.execute(HttpClientRequest.get("x"))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(seen.length, 1)
    })
  )

  test(
    "enrich runs on each attempt after the system headers; its failure is an EnrichError",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        enrich: (request) => Effect.succeed(HttpClientRequest.setHeader(request, "authorization", "Bearer t"))
      })
      yield* http.execute(HttpClientRequest.get("x"))
      assert.strictEqual(seen[0]!.headers["authorization"], "Bearer t")
      const failing = yield* ResilientHttpClient.make({ endpoint: url, enrich: () => Effect.fail("no token") })
      const exit = yield* Effect.exit(failing.execute(HttpClientRequest.get("x")))
      assert.strictEqual(failureOf(exit)._tag, "EnrichError")
      assert.strictEqual(seen.length, 1)
    })
  )

  test(
    "layer provides an HttpClient that sends through the resilient client",
    Effect.gen(function*() {
      const { url } = yield* server(status(200))
      const layer = ResilientHttpClient.layer({ endpoint: url })
      const response = yield* Effect.provide(
        Effect.gen(function*() {
          const http = yield* HttpClient.HttpClient
          return yield* http.execute(HttpClientRequest.get("x"))
        }),
        layer
      )
      assert.strictEqual(response.status, 200)
    })
  )

  it("invalid options are refused at once, naming the option", () => {
    const refused = (options: unknown): string => {
      try {
        ResilientHttpClient.make(options as ResilientHttpClient.Options)
      } catch (e) {
        return (e as Error).message
      }
      return assert.fail("expected a refusal")
    }
    assert.match(refused({}), /endpoint/)
    assert.match(refused({ endpoint: "ftp://x/" }), /endpoint/)
    assert.match(refused({ endpoint: "http://x/", timeout: "0 millis" }), /timeout/)
    assert.match(refused({ endpoint: "http://x/", priority: "urgent" }), /priority/)
    assert.match(refused({ endpoint: "http://x/", connectionAttempts: 0 }), /connectionAttempts/)
    assert.match(refused({ endpoint: "http://x/", serviceName: "a\nb" }), /serviceName/)
    assert.match(refused({ endpoint: "http://x/", originBoundHeaders: ["bad header"] }), /originBoundHeaders/)
    assert.match(refused({ endpoint: "http://x/", jsonContentTypes: ["not a type"] }), /jsonContentTypes/)
  })

  // ---- once Effect 3 only (packages/platform/test/ResilientHttpClient.test.ts), now on both lines ----

  test(
    "a real breaker opens the circuit of the endpoint after failures, then sends nothing",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 minute",
        samplingDuration: "1 minute",
        minimumThroughput: 2,
        failureThreshold: 0.5
      })
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        circuitBreaker: breaker,
        strategy: Strategy.single
      })
      assert.strictEqual((yield* http.execute(HttpClientRequest.get("x"))).status, 503)
      assert.strictEqual((yield* http.execute(HttpClientRequest.get("x"))).status, 503)
      const error = failureOf(yield* Effect.exit(http.execute(HttpClientRequest.get("x"))))
      assert.strictEqual(error._tag, "CircuitBreakerOpenError")
      assert.strictEqual(seen.length, 2)
      assert.deepStrictEqual(yield* breaker.state, new Map([[url, "open" as const]]))
      // counted by the breaker itself (issue 11), under its scope label
      assert.strictEqual(
        yield* counter(HttpMetrics.circuitBreakerTransitions, { scope: url, from: "closed", to: "open" }),
        1
      )
    })
  )

  // one test on both lines (it had an Effect 3 twin and an Effect 4 twin): only the name of
  // Effect's own HTTP client span differs (`httpClientSpanName`, docs/effect4.md)
  test(
    "one request span, a child span per attempt with kind, verdict and status",
    Effect.gen(function*() {
      const { url } = yield* server((_, response, n) => {
        response.writeHead(n === 1 ? 503 : 200)
        response.end()
      })
      const { spans, traced } = recordSpans()
      const http = yield* ResilientHttpClient.make({
        endpoint: url,
        strategy: Strategy.sequential({ attempts: 2, delays: noJitter })
      })
      const response = yield* http.execute(HttpRequest.get("items/{id}", { path: { id: 1 } })).pipe(traced)
      assert.strictEqual(response.status, 200)
      const request = spans.find((span) => span.name === "aio_request.request")!
      assert.deepStrictEqual(Object.fromEntries(request.attributes), {
        "http.request.method": "GET",
        "url.template": "items/{id}",
        "aio_request.endpoint": url
      })
      const attempts = spans.filter((span) => span.name === "aio_request.attempt")
      assert.deepStrictEqual(
        attempts.map((span) => [span.parent, Object.fromEntries(span.attributes)]),
        [
          [request.id, {
            "aio_request.attempt": 0,
            "aio_request.attempt.kind": "first",
            "aio_request.verdict": "reject",
            "http.response.status_code": 503
          }],
          [request.id, {
            "aio_request.attempt": 1,
            "aio_request.attempt.kind": "retry",
            "aio_request.verdict": "accept",
            "http.response.status_code": 200
          }]
        ]
      )
      // the transport's own span is a child of its attempt
      const transport = spans.filter((span) => span.name === httpClientSpanName("GET"))
      assert.deepStrictEqual(transport.map((span) => span.parent), attempts.map((span) => span.id))
    })
  )
})
