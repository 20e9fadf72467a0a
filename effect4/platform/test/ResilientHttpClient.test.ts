/**
 * `ResilientHttpClient` on Effect 4, over loopback HTTP: what the shared suite
 * (packages/platform/test/shared/ResilientHttpClient.test.ts) does not cover, or whose
 * shapes are the line's own (errors, layer, body, spans, fetch, options).
 */
import { CircuitBreaker, Deadline, Delays, RetryBudget, Strategy } from "@aio-request/core"
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
