/**
 * `ResilientHttpClient` on Effect 4, over loopback HTTP (undici): system headers,
 * deadline, priority, strategy, circuit breaker, retry budget, metrics,
 * connection attempts, redirects and the checks of options and headers.
 */
import { CircuitBreaker, Deadline, Delays, Priority, RetryBudget, Strategy } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Metric, Option, Tracer } from "effect"
import type { Scope } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { HttpMetrics, HttpRequest, ResilientHttpClient } from "../src/index.js"

interface Seen {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string | Array<string> | undefined>
}

/** A loopback server answering with `handler`; what it received, in order. */
const server = (handler: (request: IncomingMessage, response: ServerResponse, n: number) => void) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly seen: Array<Seen> }>((resume) => {
      const seen: Array<Seen> = []
      const s = createServer((request, response) => {
        seen.push({ url: request.url!, method: request.method!, headers: request.headers })
        handler(request, response, seen.length)
      })
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/`, seen, close: s }))
      })
    }) as Effect.Effect<
      { readonly url: string; readonly seen: Array<Seen>; readonly close: ReturnType<typeof createServer> }
    >,
    ({ close }) =>
      Effect.callback<void>((resume) => {
        close.closeAllConnections()
        close.close(() => resume(Effect.void))
      })
  )

const status =
  (code: number, headers: Record<string, string> = {}) => (_: IncomingMessage, response: ServerResponse) => {
    response.writeHead(code, headers)
    response.end("ok")
  }

const client = ResilientHttpClient.make

/** A live test, with undici as the `HttpClient` under the resilient one. */
const test = <E>(name: string, body: Effect.Effect<void, E, HttpClient.HttpClient | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body, NodeHttpClient.layerUndici)))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

const noJitter = Delays.linear({ min: "10 millis", multiplier: "0 millis", jitter: 0 })

describe("ResilientHttpClient (effect 4)", () => {
  test(
    "sends the system headers and the service name, the URL resolved against the endpoint",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* client({ endpoint: `${url}api/`, serviceName: "checkout", timeout: "2 seconds" })
      const response = yield* http.execute(HttpRequest.get("users/{id}", { path: { id: 42 } }))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(seen.length, 1)
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
      const http = yield* client({ endpoint: url, priority: "low" })
      yield* http.execute(HttpClientRequest.get("x")).pipe(
        Deadline.within("500 millis"),
        Priority.withPriority("high")
      )
      const timeout = Number(seen[0]!.headers["x-request-timeout"])
      assert.isTrue(timeout > 0.3 && timeout <= 0.5, `x-request-timeout ${timeout}`)
      // low under an inherited high becomes normal
      assert.strictEqual(seen[0]!.headers["x-request-priority"], "normal")
    })
  )

  test(
    "emitSystemHeaders: false sends none",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* client({ endpoint: url, emitSystemHeaders: false })
      yield* http.execute(HttpClientRequest.get("x"))
      assert.isUndefined(seen[0]!.headers["x-request-timeout"])
      assert.isUndefined(seen[0]!.headers["x-request-priority"])
    })
  )

  test(
    "a slow upstream is cut at the deadline with DeadlineExceededError",
    Effect.gen(function*() {
      const { url } = yield* server((_, response) => {
        setTimeout(() => response.end("late"), 1000)
      })
      const http = yield* client({ endpoint: url, timeout: "150 millis", strategy: Strategy.single })
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
      const endpoint = url
      const http = yield* client({ endpoint, strategy: Strategy.sequential({ attempts: 3, delays: noJitter }) })
      const response = yield* http.execute(HttpRequest.get("retry/{id}", { path: { id: 1 } }))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(seen.length, 3)
      const base = { request_endpoint: endpoint, request_method: "GET", request_path: "retry/{id}" }
      const attempts = yield* Metric.value(Metric.withAttributes(HttpMetrics.attempts, base))
      const retries = yield* Metric.value(Metric.withAttributes(HttpMetrics.retries, base))
      assert.strictEqual(attempts.count, 3)
      assert.strictEqual(retries.count, 2)
      const latency = yield* Metric.value(
        Metric.withAttributes(HttpMetrics.clientLatency, { ...base, response_status: "200", circuit_breaker: "false" })
      )
      assert.strictEqual(latency.count, 1)
      const transport503 = yield* Metric.value(
        Metric.withAttributes(HttpMetrics.transportLatency, { ...base, response_status: "503" })
      )
      assert.strictEqual(transport503.count, 2)
    })
  )

  test(
    "a final 503 is returned as a response",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const http = yield* client({ endpoint: url, strategy: Strategy.sequential({ attempts: 2, delays: noJitter }) })
      const response = yield* http.execute(HttpClientRequest.get("x"))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(seen.length, 2)
    })
  )

  test(
    "CurrentStrategy overrides the client's strategy",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const http = yield* client({ endpoint: url, strategy: Strategy.sequential({ attempts: 3, delays: noJitter }) })
      yield* http.execute(HttpClientRequest.get("x")).pipe(Strategy.withStrategy(Strategy.single))
      assert.strictEqual(seen.length, 1)
    })
  )

  test(
    "an empty retry budget stops the retries",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const retryBudget = yield* RetryBudget.make({ ratio: 0.01, minPerSecond: 0.01 })
      // the first withdrawal may be granted by the floor: spend it
      yield* retryBudget.tryWithdraw
      const http = yield* client({
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
    "the circuit opens after failures and then fails fast without sending",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(503))
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "10 seconds",
        samplingDuration: "10 seconds",
        minimumThroughput: 2,
        failureThreshold: 0.5
      })
      const http = yield* client({ endpoint: url, circuitBreaker: breaker, strategy: Strategy.single })
      yield* http.execute(HttpClientRequest.get("x"))
      yield* http.execute(HttpClientRequest.get("x"))
      assert.strictEqual(seen.length, 2)
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("x")))
      assert.strictEqual(failureOf(exit)._tag, "CircuitBreakerOpenError")
      assert.strictEqual(seen.length, 2)
      const open = yield* Metric.value(
        Metric.withAttributes(HttpMetrics.clientLatency, {
          request_endpoint: url,
          request_method: "GET",
          request_path: "x",
          response_status: "502",
          circuit_breaker: "true"
        })
      )
      assert.strictEqual(open.count, 1)
    })
  )

  test(
    "less time left than lowTimeoutThreshold: nothing is sent",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* client({ endpoint: url, lowTimeoutThreshold: "1 second" })
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("x")).pipe(Deadline.within("500 millis")))
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "DeadlineExceededError")
      assert.strictEqual((error as Deadline.DeadlineExceededError).reason, "below-threshold")
      assert.strictEqual(seen.length, 0)
    })
  )

  test(
    "enrich runs on each attempt after the system headers; its failure is an EnrichError",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* client({
        endpoint: url,
        enrich: (request) => Effect.succeed(HttpClientRequest.setHeader(request, "authorization", "Bearer t"))
      })
      yield* http.execute(HttpClientRequest.get("x"))
      assert.strictEqual(seen[0]!.headers["authorization"], "Bearer t")
      const failing = yield* client({ endpoint: url, enrich: () => Effect.fail("no token") })
      const exit = yield* Effect.exit(failing.execute(HttpClientRequest.get("x")))
      assert.strictEqual(failureOf(exit)._tag, "EnrichError")
      assert.strictEqual(seen.length, 1)
    })
  )

  test(
    "a header value with CR LF fails with EncodeError before anything is sent",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* client({ endpoint: url })
      const exit = yield* Effect.exit(
        http.execute(HttpClientRequest.get("x").pipe(HttpClientRequest.setHeader("x-bad", "a\r\nb")))
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "HttpClientError")
      assert.strictEqual((error as { reason: { _tag: string } }).reason._tag, "EncodeError")
      assert.strictEqual(seen.length, 0)
    })
  )

  test(
    "a refused connection is a transport error naming the code and the connects tried",
    Effect.gen(function*() {
      const closed = yield* Effect.scoped(Effect.map(server(status(200)), ({ url }) => url))
      const http = yield* client({ endpoint: closed, connectionAttempts: 2, strategy: Strategy.single })
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("x")))
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "HttpClientError")
      assert.match(error.message, /ECONNREFUSED/)
    })
  )

  test(
    "redirects are followed; to another origin without the credential headers",
    Effect.gen(function*() {
      const other = yield* server(status(200))
      const { seen, url } = yield* server((request, response) => {
        if (request.url === "/from") response.writeHead(302, { location: "/to" })
        else if (request.url === "/to") response.writeHead(307, { location: `${other.url}away` })
        response.end()
      })
      const http = yield* client({ endpoint: url })
      const response = yield* http.execute(
        HttpClientRequest.get("from").pipe(HttpClientRequest.setHeader("authorization", "Bearer t"))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(seen.map((s) => s.url), ["/from", "/to"])
      assert.strictEqual(seen[1]!.headers["authorization"], "Bearer t")
      assert.strictEqual(other.seen[0]!.url, "/away")
      assert.isUndefined(other.seen[0]!.headers["authorization"])
    })
  )

  test(
    "too many redirects fail with TooManyRedirectsError; a data: location with InvalidRedirectError",
    Effect.gen(function*() {
      const { url } = yield* server((request, response) => {
        response.writeHead(302, { location: request.url === "/data" ? "data:text/plain,x" : "/loop" })
        response.end()
      })
      const http = yield* client({ endpoint: url, maxRedirects: 2 })
      const exit = yield* Effect.exit(http.execute(HttpClientRequest.get("loop")))
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "TooManyRedirectsError")
      assert.strictEqual((error as ResilientHttpClient.TooManyRedirectsError).locations.length, 3)
      const invalid = failureOf(yield* Effect.exit(http.execute(HttpClientRequest.get("data"))))
      assert.strictEqual(invalid._tag, "InvalidRedirectError")
      const manual = yield* client({ endpoint: url, followRedirects: false })
      assert.strictEqual((yield* manual.execute(HttpClientRequest.get("loop"))).status, 302)
    })
  )

  it.live("over fetch too, the client follows redirects by its own rules (fetch is told redirect: manual)", () =>
    Effect.gen(function*() {
      const { seen, url } = yield* server((request, response) => {
        if (request.url === "/from") response.writeHead(302, { location: "/to" })
        else if (request.url === "/data") response.writeHead(302, { location: "data:text/plain,x" })
        response.end()
      })
      const manual = yield* client({ endpoint: url, followRedirects: false })
      assert.strictEqual((yield* manual.execute(HttpClientRequest.get("from"))).status, 302)
      assert.strictEqual(seen.length, 1)
      const http = yield* client({ endpoint: url })
      assert.strictEqual((yield* http.execute(HttpClientRequest.get("from"))).status, 200)
      const invalid = failureOf(yield* Effect.exit(http.execute(HttpClientRequest.get("data"))))
      assert.strictEqual(invalid._tag, "InvalidRedirectError")
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  test(
    "endpointProvider: evaluated per request; a failure is an EndpointError",
    Effect.gen(function*() {
      const { seen, url } = yield* server(status(200))
      const http = yield* client({ endpointProvider: Effect.succeed(url) })
      assert.strictEqual((yield* http.execute(HttpClientRequest.get("x"))).status, 200)
      assert.strictEqual(seen.length, 1)
      const failing = yield* client({ endpointProvider: Effect.fail("no instance") })
      const error = failureOf(yield* Effect.exit(failing.execute(HttpClientRequest.get("x"))))
      assert.strictEqual(error._tag, "EndpointError")
    })
  )

  test(
    "layer provides an HttpClient whose own errors are transport errors",
    Effect.gen(function*() {
      const { url } = yield* server(status(200))
      const layer = ResilientHttpClient.layer({ endpoint: url })
      const response = yield* Effect.provide(
        Effect.flatMap(Effect.service(HttpClient.HttpClient), (http) => http.execute(HttpClientRequest.get("x"))),
        layer
      )
      assert.strictEqual(response.status, 200)
    })
  )

  test(
    "the body is read under the request's deadline: a slow body fails with DeadlineExceededError (phase body)",
    Effect.gen(function*() {
      const { url } = yield* server((_, response) => {
        response.writeHead(200, { "content-type": "text/plain" })
        response.write("first")
        setTimeout(() => response.end("late"), 1000)
      })
      const http = yield* client({ endpoint: url, timeout: "300 millis", strategy: Strategy.single })
      const response = yield* http.execute(HttpClientRequest.get("slow-body"))
      assert.strictEqual(response.status, 200)
      const error = failureOf(yield* Effect.exit(response.text))
      assert.strictEqual(error._tag, "DeadlineExceededError")
      assert.strictEqual((error as unknown as Deadline.DeadlineExceededError).phase, "body")
    })
  )

  test(
    "json reads only a JSON content type unless jsonContentTypes says otherwise",
    Effect.gen(function*() {
      const { url } = yield* server((request, response) => {
        response.writeHead(200, { "content-type": request.url === "/json" ? "application/problem+json" : "text/plain" })
        response.end("{\"a\":1}")
      })
      const http = yield* client({ endpoint: url })
      assert.deepStrictEqual(yield* Effect.flatMap(http.execute(HttpClientRequest.get("json")), (r) => r.json), {
        a: 1
      })
      const error = failureOf(
        yield* Effect.exit(Effect.flatMap(http.execute(HttpClientRequest.get("text")), (r) => r.json))
      )
      assert.strictEqual(error._tag, "HttpClientError")
      assert.strictEqual((error as { reason: { _tag: string } }).reason._tag, "DecodeError")
      assert.match(error.message, /text\/plain/)
      const lenient = yield* client({ endpoint: url, jsonContentTypes: ["text/plain"] })
      assert.deepStrictEqual(yield* Effect.flatMap(lenient.execute(HttpClientRequest.get("text")), (r) => r.json), {
        a: 1
      })
    })
  )

  test(
    "one request span, a child span per attempt with kind, verdict and status",
    Effect.gen(function*() {
      const { url } = yield* server((_, response, n) => {
        response.writeHead(n === 1 ? 503 : 200)
        response.end()
      })
      const spans: Array<
        { readonly name: string; readonly span: Tracer.Span; readonly attributes: Map<string, unknown> }
      > = []
      const tracer = Tracer.make({
        span: (options) => {
          const span = Tracer.nativeTracer.span(options)
          const attributes = new Map<string, unknown>()
          const attribute = span.attribute.bind(span)
          span.attribute = (key, value) => {
            attributes.set(key, value)
            attribute(key, value)
          }
          spans.push({ name: options.name, span, attributes })
          return span
        }
      })
      const http = yield* client({ endpoint: url, strategy: Strategy.sequential({ attempts: 2, delays: noJitter }) })
      const response = yield* http.execute(HttpRequest.get("items/{id}", { path: { id: 1 } })).pipe(
        Effect.withTracer(tracer)
      )
      assert.strictEqual(response.status, 200)
      const request = spans.find((s) => s.name === "aio_request.request")!
      assert.deepStrictEqual(Object.fromEntries(request.attributes), {
        "http.request.method": "GET",
        "url.template": "items/{id}",
        "aio_request.endpoint": url
      })
      const attempts = spans.filter((s) => s.name === "aio_request.attempt")
      assert.deepStrictEqual(
        attempts.map((s) => [Option.getOrUndefined(s.span.parent)?.spanId, Object.fromEntries(s.attributes)]),
        [
          [request.span.spanId, {
            "aio_request.attempt": 0,
            "aio_request.attempt.kind": "first",
            "aio_request.verdict": "reject",
            "http.response.status_code": 503
          }],
          [request.span.spanId, {
            "aio_request.attempt": 1,
            "aio_request.attempt.kind": "retry",
            "aio_request.verdict": "accept",
            "http.response.status_code": 200
          }]
        ]
      )
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
})
