import { CircuitBreaker, Deadline, Delays, Priority, Strategy } from "@aio-request/core"
import { Headers, HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Metric, Option, Ref, Schedule, Stream, Tracer } from "effect"
import { refusedUrl, serve, tcpServer, transports } from "./support/servers.js"

/** Waits (live) until `effect` satisfies `predicate`; dies after ~5 s. */
const eventually = <A>(effect: Effect.Effect<A>, predicate: (a: A) => boolean): Effect.Effect<A> =>
  effect.pipe(
    Effect.filterOrFail(predicate, () => "condition not reached"),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(250)))),
    Effect.orDie
  )

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${String(exit.value)}`)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

/** A counter of the requests a route received. */
const counter = Effect.map(Ref.make(0), (ref) => ({
  hit: Ref.update(ref, (n) => n + 1),
  get: Ref.get(ref)
}))

const echo = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  return HttpServerResponse.unsafeJson({ url: request.url, method: request.method, headers: request.headers })
})

interface Echo {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string>
}

const noJitter = Delays.linear({ min: "20 millis", multiplier: "0 millis", jitter: 0 })

const clientCount = (labels: {
  readonly endpoint: string
  readonly method: string
  readonly path: string
  readonly status: number
  readonly circuitBreaker: boolean
}) =>
  Metric.value(
    HttpMetrics.clientLatency.pipe(
      Metric.tagged("request_endpoint", labels.endpoint),
      Metric.tagged("request_method", labels.method),
      Metric.tagged("request_path", labels.path),
      Metric.tagged("response_status", String(labels.status)),
      Metric.tagged("circuit_breaker", String(labels.circuitBreaker))
    )
  ).pipe(Effect.map((state) => state.count))

const attemptCount = (labels: { readonly endpoint: string; readonly method: string; readonly path: string }) =>
  Metric.value(
    HttpMetrics.attempts.pipe(
      Metric.tagged("request_endpoint", labels.endpoint),
      Metric.tagged("request_method", labels.method),
      Metric.tagged("request_path", labels.path)
    )
  ).pipe(Effect.map((state) => state.count))

for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}`, () => {
    it.scopedLive("resolves templates against the endpoint, percent-encodes path parameters, repeats query keys", () =>
      Effect.gen(function*() {
        const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get("*", echo)))
        const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api` })
        const response = yield* client.execute(
          HttpRequest.get("users/{id}/files/{name}", {
            path: { id: 42, name: "../etc/passwd é" },
            query: { tag: ["a", "b c"], page: 2, flag: true, none: undefined }
          })
        )
        const body = (yield* response.json) as Echo
        assert.strictEqual(response.status, 200)
        assert.strictEqual(body.url, "/api/users/42/files/..%2Fetc%2Fpasswd%20%C3%A9?tag=a&tag=b+c&page=2&flag=true")
        assert.isUndefined(body.headers[HttpRequest.TemplateHeader], "the template header is not sent")
        // the template, not the path, labels the metrics
        const labels = { endpoint: `${url}/api`, method: "GET", path: "users/{id}/files/{name}" }
        assert.strictEqual(yield* clientCount({ ...labels, status: 200, circuitBreaker: false }), 1)
        assert.strictEqual(yield* attemptCount(labels), 1)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("a plain client.get works, and composes with mapRequest and filterStatusOk", () =>
      Effect.gen(function*() {
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get("/thing", echo),
            HttpRouter.get("/missing", HttpServerResponse.text("nope", { status: 404 }))
          )
        )
        const client = (yield* ResilientHttpClient.make({ endpoint: url })).pipe(
          HttpClient.mapRequest(HttpClientRequest.setHeader("x-extra", "1")),
          HttpClient.filterStatusOk
        )
        const body = (yield* Effect.flatMap(client.get("thing?a=1"), (r) => r.json)) as Echo
        assert.strictEqual(body.url, "/thing?a=1")
        assert.strictEqual(body.headers["x-extra"], "1")
        assert.strictEqual(
          yield* clientCount({ endpoint: `${url}/`, method: "GET", path: "thing", status: 200, circuitBreaker: false }),
          1
        )
        const error = failureOf(yield* Effect.exit(client.get("/missing")))
        assert.strictEqual(error._tag, "ResponseError")
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("JSON round trip and UTF-8 text", () =>
      Effect.gen(function*() {
        const text = "héllo wörld ✓ 日本語 🚀"
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.post(
              "/items",
              Effect.gen(function*() {
                const request = yield* HttpServerRequest.HttpServerRequest
                const body = yield* request.json
                return HttpServerResponse.unsafeJson({ received: body, contentType: request.headers["content-type"] })
              })
            ),
            HttpRouter.get("/text", HttpServerResponse.text(text))
          )
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url })
        const sent = { name: "Zoë", tags: ["ä", "β"], n: 1.5, nested: { ok: true } }
        const response = yield* client.execute(HttpRequest.postJson("items", sent))
        assert.deepStrictEqual(yield* response.json, { received: sent, contentType: "application/json" })
        const textResponse = yield* client.execute(HttpRequest.get("text"))
        assert.strictEqual(yield* textResponse.text, text)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("follows redirects by default, returns the 3xx when told not to", () =>
      Effect.gen(function*() {
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get("/a", HttpServerResponse.redirect("/b", { status: 302 })),
            HttpRouter.get("/b", HttpServerResponse.redirect(`/c?from=b`, { status: 301 })),
            HttpRouter.get("/c", echo)
          )
        )
        const following = yield* ResilientHttpClient.make({ endpoint: url })
        const response = yield* following.execute(HttpRequest.get("a"))
        assert.strictEqual(response.status, 200)
        assert.strictEqual(((yield* response.json) as Echo).url, "/c?from=b")

        const notFollowing = yield* ResilientHttpClient.make({ endpoint: url, followRedirects: false })
        const redirect = yield* notFollowing.execute(HttpRequest.get("a"))
        assert.strictEqual(redirect.status, 302)
        assert.strictEqual(redirect.headers["location"], "/b")
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("fails with TooManyRedirectsError carrying every Location past maxRedirects", () =>
      Effect.gen(function*() {
        const hits = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get(
              "/loop/:n",
              Effect.gen(function*() {
                yield* hits.hit
                const { n } = yield* HttpRouter.params
                return HttpServerResponse.redirect(`/loop/${Number(n) + 1}`, { status: 307 })
              })
            )
          )
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url, maxRedirects: 2 })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("loop/{n}", { path: { n: 0 } }))))
        assert.strictEqual(error._tag, "TooManyRedirectsError")
        assert.deepStrictEqual((error as ResilientHttpClient.TooManyRedirectsError).locations, [
          `${url}/loop/1`,
          `${url}/loop/2`,
          `${url}/loop/3`
        ])
        // accepted by the default classifier: not retried
        assert.strictEqual(yield* hits.get, 3)
        assert.strictEqual(
          yield* clientCount({
            endpoint: `${url}/`,
            method: "GET",
            path: "loop/{n}",
            status: 488,
            circuitBreaker: false
          }),
          1
        )
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("connection refused: connectionAttempts connects, then RequestError", () =>
      Effect.gen(function*() {
        const url = yield* refusedUrl
        const connects = yield* counter
        const counted = (yield* HttpClient.HttpClient).pipe(HttpClient.tapRequest(() => connects.hit))
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.single,
          connectionAttempts: 4
        }).pipe(Effect.provideService(HttpClient.HttpClient, counted))
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual((error as { reason?: string }).reason, "Transport")
        assert.strictEqual(yield* connects.get, 4)
        assert.strictEqual(
          yield* clientCount({ endpoint: `${url}/`, method: "GET", path: "x", status: 489, circuitBreaker: false }),
          1
        )
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("a connection reset after connect is not retried inside the attempt", () =>
      Effect.gen(function*() {
        const server = yield* tcpServer((socket) => socket.once("data", () => socket.resetAndDestroy()))
        const client = yield* ResilientHttpClient.make({ endpoint: server.url, strategy: Strategy.single })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual(yield* server.connections, 1)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("hedging: the fast attempt wins and the server sees the slow one aborted", () =>
      Effect.gen(function*() {
        const calls = yield* counter
        const aborted = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get(
              "/slow-once",
              Effect.gen(function*() {
                yield* calls.hit
                if ((yield* calls.get) === 1) {
                  yield* Effect.sleep("5 seconds").pipe(Effect.onInterrupt(() => aborted.hit))
                  return HttpServerResponse.text("slow")
                }
                return HttpServerResponse.text("fast")
              })
            )
          )
        )
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
        })
        const response = yield* client.execute(HttpRequest.get("slow-once"))
        assert.strictEqual(yield* response.text, "fast")
        assert.strictEqual(yield* eventually(aborted.get, (n) => n === 1), 1)
        assert.strictEqual(yield* calls.get, 2)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("sends the deadline, the normalised priority and the service name", () =>
      Effect.gen(function*() {
        const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get("*", echo)))
        const client = yield* ResilientHttpClient.make({ endpoint: url, priority: "low", serviceName: "checkout" })
        const response = yield* client.execute(HttpRequest.get("x")).pipe(
          Priority.withPriority("high"),
          Deadline.within("2 seconds")
        )
        const { headers } = (yield* response.json) as Echo
        const timeout = Number(headers[Headers.RequestTimeout])
        assert.isTrue(timeout > 1.5 && timeout <= 2, `x-request-timeout ${headers[Headers.RequestTimeout]}`)
        assert.strictEqual(headers[Headers.RequestPriority], "normal")
        assert.strictEqual(headers[Headers.ServiceName], "checkout")

        const quiet = yield* ResilientHttpClient.make({ endpoint: url, emitSystemHeaders: false })
        const quietHeaders = ((yield* Effect.flatMap(quiet.execute(HttpRequest.get("x")), (r) => r.json)) as Echo)
          .headers
        assert.isUndefined(quietHeaders[Headers.RequestTimeout])
        assert.isUndefined(quietHeaders[Headers.RequestPriority])
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("below the low-timeout threshold nothing is sent", () =>
      Effect.gen(function*() {
        const hits = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(HttpRouter.get("*", Effect.as(hits.hit, HttpServerResponse.empty())))
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url, lowTimeoutThreshold: "50 millis" })
        const deadline = yield* Deadline.fromTimeout("20 millis")
        const error = failureOf(
          yield* Effect.exit(
            client.execute(HttpRequest.get("x")).pipe(
              Effect.provideService(Deadline.CurrentDeadline, Option.some(deadline))
            )
          )
        )
        assert.strictEqual(error._tag, "DeadlineExceededError")
        assert.strictEqual((error as Deadline.DeadlineExceededError).reason, "below-threshold")
        assert.strictEqual(yield* hits.get, 0)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("an open circuit sends nothing and fails with CircuitBreakerOpenError", () =>
      Effect.gen(function*() {
        const hits = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(HttpRouter.get("*", Effect.as(hits.hit, HttpServerResponse.empty())))
        )
        const scopes: Array<string> = []
        const open: CircuitBreaker.CircuitBreaker.Service = {
          execute: (scope) => {
            scopes.push(scope)
            return Effect.fail(new CircuitBreaker.CircuitBreakerOpenError({ scope, retryAfter: Duration.seconds(5) }))
          },
          state: Effect.succeed(new Map()),
          stateOf: () => Effect.succeed("open"),
          changes: Stream.empty
        }
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          circuitBreaker: open,
          strategy: Strategy.single
        })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
        assert.strictEqual(error._tag, "CircuitBreakerOpenError")
        assert.strictEqual(yield* hits.get, 0)
        assert.deepStrictEqual(scopes, [`${url}/`])
        assert.strictEqual(
          yield* clientCount({ endpoint: `${url}/`, method: "GET", path: "x", status: 502, circuitBreaker: true }),
          1
        )
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("a final 503 is returned as a response after every attempt", () =>
      Effect.gen(function*() {
        const hits = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get("*", Effect.as(hits.hit, HttpServerResponse.text("busy", { status: 503 })))
          )
        )
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
        })
        const response = yield* client.execute(HttpRequest.get("x"))
        assert.strictEqual(response.status, 503)
        assert.strictEqual(yield* response.text, "busy")
        assert.strictEqual(yield* hits.get, 3)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("X-Do-Not-Retry is honoured, and POST is not retried by default", () =>
      Effect.gen(function*() {
        const gets = yield* counter
        const posts = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get(
              "*",
              Effect.as(gets.hit, HttpServerResponse.empty({ status: 503, headers: { [Headers.DoNotRetry]: "1" } }))
            ),
            HttpRouter.post("*", Effect.as(posts.hit, HttpServerResponse.empty({ status: 503 })))
          )
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url })
        assert.strictEqual((yield* client.execute(HttpRequest.get("x"))).status, 503)
        assert.strictEqual(yield* gets.get, 1)
        assert.strictEqual((yield* client.execute(HttpRequest.postJson("x", { a: 1 }))).status, 503)
        assert.strictEqual(yield* posts.get, 1)
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("the responses of attempts that did not win are released", () =>
      Effect.gen(function*() {
        const calls = yield* counter
        const released = yield* counter
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get(
              "/x",
              Effect.gen(function*() {
                yield* calls.hit
                if ((yield* calls.get) < 3) {
                  // a body that never ends: only an abort from the client frees it
                  const body = Stream.concat(Stream.make(new TextEncoder().encode("partial")), Stream.never).pipe(
                    Stream.ensuring(released.hit)
                  )
                  return HttpServerResponse.stream(body, { status: 503 })
                }
                return HttpServerResponse.text("ok")
              })
            )
          )
        )
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
        })
        const response = yield* client.execute(HttpRequest.get("x"))
        assert.strictEqual(yield* response.text, "ok")
        assert.strictEqual(yield* eventually(released.get, (n) => n === 2), 2)
      }).pipe(Effect.provide(transport.layer)))
  })
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
        () => ResilientHttpClient.make(options as ResilientHttpClient.ResilientHttpClient.Options),
        Cause.IllegalArgumentException,
        undefined,
        JSON.stringify(options)
      )
    }
  })

  it.scopedLive("an endpointProvider or enrich that fails is a typed error, and other requests are unaffected", () =>
    Effect.gen(function*() {
      const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get("*", echo)))
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
      assert.strictEqual((good as Echo).headers["authorization"], "Bearer t")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("a path parameter cannot leave its template", () =>
    Effect.gen(function*() {
      const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get("*", echo)))
      const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api/` })
      const error = failureOf(
        yield* Effect.exit(client.execute(HttpRequest.get("users/{id}/x", { path: { id: ".." } })))
      )
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual((error as { reason?: string }).reason, "InvalidUrl")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("layer provides an HttpClient whose own errors are RequestErrors carrying the typed cause", () =>
    Effect.gen(function*() {
      const url = yield* refusedUrl
      const exit = yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        return yield* client.get("x")
      }).pipe(
        Deadline.within("1 second"),
        Effect.provide(
          ResilientHttpClient.layer({ endpoint: url, lowTimeoutThreshold: "2 seconds" }).pipe(
            Layer.provide(NodeHttpClient.layerUndici)
          )
        ),
        Effect.exit
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual((error as { cause?: { _tag?: string } }).cause?._tag, "DeadlineExceededError")
    }))

  it.scopedLive("the caller leaving interrupts the request and records 499", () =>
    Effect.gen(function*() {
      const started = yield* counter
      const url = yield* serve(
        HttpRouter.empty.pipe(
          HttpRouter.get(
            "*",
            Effect.zipRight(started.hit, Effect.as(Effect.sleep("5 seconds"), HttpServerResponse.empty()))
          )
        )
      )
      const client = yield* ResilientHttpClient.make({ endpoint: url })
      const fiber = yield* Effect.fork(client.execute(HttpRequest.get("slow")))
      yield* eventually(started.get, (n) => n === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(
        yield* clientCount({ endpoint: `${url}/`, method: "GET", path: "slow", status: 499, circuitBreaker: false }),
        1
      )
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("ResilientHttpClient with a real circuit breaker, and its spans", () => {
  it.scopedLive("opens the circuit of the endpoint after failures, then sends nothing", () =>
    Effect.gen(function*() {
      const hits = yield* counter
      const url = yield* serve(
        HttpRouter.empty.pipe(HttpRouter.get("*", Effect.as(hits.hit, HttpServerResponse.empty({ status: 503 }))))
      )
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 minute",
        samplingDuration: "1 minute",
        minimumThroughput: 2,
        failureThreshold: 0.5
      })
      const client = yield* ResilientHttpClient.make({
        endpoint: url,
        circuitBreaker: breaker,
        strategy: Strategy.single
      })
      assert.strictEqual((yield* client.execute(HttpRequest.get("x"))).status, 503)
      assert.strictEqual((yield* client.execute(HttpRequest.get("x"))).status, 503)
      const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
      assert.strictEqual(error._tag, "CircuitBreakerOpenError")
      assert.strictEqual(yield* hits.get, 2)
      assert.deepStrictEqual(yield* breaker.state, new Map([[`${url}/`, "open" as const]]))
      // counted by the breaker itself (issue 11), under its scope label
      const transitions = yield* Metric.value(
        HttpMetrics.circuitBreakerTransitions.pipe(
          Metric.tagged("scope", `${url}/`),
          Metric.tagged("from", "closed"),
          Metric.tagged("to", "open")
        )
      )
      assert.strictEqual(transitions.count, 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("one request span, a child span per attempt with kind, verdict and status", () =>
    Effect.gen(function*() {
      const calls = yield* counter
      const url = yield* serve(
        HttpRouter.empty.pipe(
          HttpRouter.get(
            "*",
            Effect.gen(function*() {
              yield* calls.hit
              return HttpServerResponse.empty({ status: (yield* calls.get) === 1 ? 503 : 200 })
            })
          )
        )
      )
      const spans: Array<{ name: string; parent: string | undefined; id: string; attributes: Map<string, unknown> }> =
        []
      let next = 0
      const tracer = Tracer.make({
        span: (name, parent, context, links, _startTime, kind) => {
          const attributes = new Map<string, unknown>()
          const spanId = `span-${++next}`
          spans.push({
            name,
            id: spanId,
            parent: Option.isSome(parent) ? parent.value.spanId : undefined,
            attributes
          })
          return {
            _tag: "Span",
            name,
            spanId,
            traceId: "trace",
            parent,
            context,
            status: { _tag: "Started", startTime: 0n },
            attributes,
            links,
            sampled: true,
            kind,
            end: () => {},
            attribute: (key, value) => attributes.set(key, value),
            event: () => {},
            addLinks: () => {}
          }
        },
        context: (f) => f()
      })
      const client = yield* ResilientHttpClient.make({
        endpoint: url,
        strategy: Strategy.sequential({ attempts: 2, delays: noJitter })
      })
      const response = yield* client.execute(HttpRequest.get("items/{id}", { path: { id: 1 } })).pipe(
        Effect.withTracer(tracer)
      )
      assert.strictEqual(response.status, 200)
      const request = spans.find((span) => span.name === "aio_request.request")!
      assert.deepStrictEqual(Object.fromEntries(request.attributes), {
        "http.request.method": "GET",
        "url.template": "items/{id}",
        "aio_request.endpoint": `${url}/`
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
      const transport = spans.filter((span) => span.name.startsWith("http.client"))
      assert.deepStrictEqual(transport.map((span) => span.parent), attempts.map((span) => span.id))
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
