/**
 * Real traffic on both lines (the kits `@aio-request/line/*` are the line
 * under test): resilient client → server behind ServerMiddleware, both on
 * 127.0.0.1, exported through Observability; what an operator would see.
 */
import { CircuitBreaker, Delays, Strategy } from "@aio-request/line/core"
import {
  assert,
  describe,
  Effect,
  line,
  Observability,
  param,
  Ref,
  respond,
  scopedLive,
  serverSpanName
} from "@aio-request/line/opentelemetry"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { httpErrorOf, route, routes, serve, undici } from "@aio-request/line/platform-testkit"
import * as Receiver from "./support/loopback.js"
import { eventually, freePort, scrape } from "./support/loopback.js"
import type { Scrape } from "./support/loopback.js"

/** OTLP's span kind of a server span. */
const serverSpanKind = 2

/** The upstream: `/users/:id` answers at once; `/flaky/:id` answers 503 the first time per id;
 * `/slow-first/:id` is slow the first time per id; `/down` always 500; `/slow` takes 2 seconds. */
const upstream = Effect.gen(function*() {
  const seen = yield* Ref.make(new Set<string>())
  const firstTime = (key: string) =>
    Ref.modify(seen, (set) => set.has(key) ? [false, set] : [true, new Set([...set, key])])
  const id = param("id")
  return routes(
    route("/users/:id", Effect.map(id, (id) => respond.json({ id }))),
    route(
      "/flaky/:id",
      Effect.flatMap(id, (id) =>
        Effect.map(
          firstTime(`flaky/${id}`),
          (first) => first ? respond.status(503) : respond.text("ok")
        ))
    ),
    route(
      "/slow-first/:id",
      Effect.flatMap(id, (id) =>
        Effect.flatMap(
          firstTime(`slow/${id}`),
          (first) => Effect.as(first ? Effect.sleep("500 millis") : Effect.void, respond.text("ok"))
        ))
    ),
    route("/down", Effect.succeed(respond.status(500))),
    route("/slow", Effect.as(Effect.sleep("2 seconds"), respond.text("late")))
  )
})

/** Serves the upstream behind ServerMiddleware; its URL, as the client normalises an endpoint
 * (and labels its metrics): with a trailing slash. */
const serveUpstream = Effect.flatMap(upstream, (upstream) => Effect.map(serve(upstream), (url) => `${url}/`))

/** Difference of one sample between two scrapes. */
const delta = (before: Scrape, after: Scrape) => (name: string, labels: Readonly<Record<string, string>>) =>
  after.value(name, labels) - before.value(name, labels)

const quick = Strategy.sequential({ attempts: 3, delays: Delays.constant("1 millis") })

describe(`end to end (Effect ${line})`, () => {
  scopedLive(
    "a Prometheus scrape shows route templates, status labels, retries, hedges and the circuit breaker",
    () =>
      Effect.gen(function*() {
        const { url } = yield* Observability.PrometheusEndpoint
        const endpoint = yield* serveUpstream
        const breaker = yield* CircuitBreaker.make({
          breakDuration: "1 minute",
          samplingDuration: "1 minute",
          minimumThroughput: 2,
          failureThreshold: 0.5
        })
        const client = yield* ResilientHttpClient.make({ endpoint, strategy: quick, serviceName: "e2e-caller" })
        const guarded = yield* ResilientHttpClient.make({
          endpoint,
          strategy: Strategy.single,
          serviceName: "e2e-caller",
          circuitBreaker: breaker
        })
        const before = yield* scrape(url)

        // 200s on a templated route
        for (const id of [1, 2, 3]) {
          const response = yield* client.execute(HttpRequest.get("/users/{id}", { path: { id } }))
          assert.strictEqual(response.status, 200)
        }
        // a 503 then a retry that succeeds
        assert.strictEqual((yield* client.execute(HttpRequest.get("/flaky/{id}", { path: { id: 7 } }))).status, 200)
        // a hedge: the first attempt is slow, the second one wins
        const hedging = Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
        const hedged = yield* client.execute(HttpRequest.get("/slow-first/{id}", { path: { id: 1 } })).pipe(
          Strategy.withStrategy(hedging)
        )
        assert.strictEqual(hedged.status, 200)
        // 500, 500: the circuit opens; the third request is refused without being sent
        for (let i = 0; i < 2; i++) {
          assert.strictEqual((yield* guarded.execute(HttpRequest.get("/down"))).status, 500)
        }
        const refused = yield* Effect.flip(guarded.execute(HttpRequest.get("/down")))
        assert.strictEqual(refused._tag, "CircuitBreakerOpenError")
        // the deadline passes: 408
        const late = yield* Effect.flip(
          ResilientHttpClient.make({ endpoint, strategy: Strategy.single, timeout: "100 millis" }).pipe(
            Effect.flatMap((c) => c.execute(HttpRequest.get("/slow")))
          )
        )
        assert.strictEqual(late._tag, "DeadlineExceededError")
        // nobody listens: 489
        const nowhere = `http://127.0.0.1:${yield* freePort}/`
        const refusedConnection = yield* Effect.flip(
          ResilientHttpClient.make({ endpoint: nowhere, strategy: Strategy.single, connectionAttempts: 1 }).pipe(
            Effect.flatMap((c) => c.execute(HttpRequest.get("/users/{id}", { path: { id: 1 } })))
          )
        )
        // a request that could not be sent (Effect 3: RequestError "Transport"; Effect 4: HttpClientError, TransportError)
        assert.deepInclude(httpErrorOf(refusedConnection), { side: "request", reason: "Transport" })

        const after = yield* scrape(url)
        const d = delta(before, after)
        const client200 = {
          request_endpoint: endpoint,
          request_method: "GET",
          request_path: "/users/{id}",
          response_status: "200",
          circuit_breaker: "false"
        }
        assert.strictEqual(d("aio_request_latency_count", client200), 3)
        assert.strictEqual(d("aio_request_latency_bucket", { ...client200, le: "+Inf" }), 3)
        assert.strictEqual(
          after.find("aio_request_latency_bucket", client200).length,
          21,
          "20 seed boundaries and +Inf"
        )
        // the template is the label, never the substituted path
        assert.deepStrictEqual(
          after.samples.filter((s) => /^\/(users|flaky|slow-first)\/\d/.test(s.labels.request_path ?? "")),
          []
        )

        const server = { request_client: "e2e-caller", request_method: "GET" }
        assert.strictEqual(
          d("aio_request_server_latency_count", { ...server, request_path: "/users/:id", response_status: "200" }),
          3
        )
        assert.strictEqual(
          d("aio_request_server_latency_count", { ...server, request_path: "/flaky/:id", response_status: "503" }),
          1
        )
        assert.strictEqual(
          d("aio_request_server_latency_count", { ...server, request_path: "/flaky/:id", response_status: "200" }),
          1
        )

        const flaky = { request_endpoint: endpoint, request_method: "GET", request_path: "/flaky/{id}" }
        assert.strictEqual(d("aio_request_transport_latency_count", { ...flaky, response_status: "503" }), 1)
        assert.strictEqual(d("aio_request_transport_latency_count", { ...flaky, response_status: "200" }), 1)
        assert.strictEqual(d("aio_request_attempts_total", flaky), 2)
        assert.strictEqual(d("aio_request_retries_total", flaky), 1)
        assert.strictEqual(d("aio_request_hedges_total", flaky), 0)
        assert.strictEqual(
          d("aio_request_latency_count", { ...flaky, response_status: "200", circuit_breaker: "false" }),
          1
        )

        const slowFirst = { request_endpoint: endpoint, request_method: "GET", request_path: "/slow-first/{id}" }
        assert.strictEqual(d("aio_request_attempts_total", slowFirst), 2)
        assert.strictEqual(d("aio_request_hedges_total", slowFirst), 1)
        // the losing first attempt was interrupted: 499 on both sides
        assert.strictEqual(d("aio_request_transport_latency_count", { ...slowFirst, response_status: "499" }), 1)
        assert.strictEqual(d("aio_request_transport_latency_count", { ...slowFirst, response_status: "200" }), 1)
        const serverSide = { ...server, request_path: "/slow-first/:id", response_status: "499" }
        const gone = yield* eventually(
          scrape(url),
          (s) => delta(before, s)("aio_request_server_latency_count", serverSide) > 0,
          "the server's 499"
        )
        assert.strictEqual(delta(before, gone)("aio_request_server_latency_count", serverSide), 1)

        const down = { request_endpoint: endpoint, request_method: "GET", request_path: "/down" }
        assert.strictEqual(
          d("aio_request_latency_count", { ...down, response_status: "500", circuit_breaker: "false" }),
          2
        )
        assert.strictEqual(
          d("aio_request_latency_count", { ...down, response_status: "502", circuit_breaker: "true" }),
          1
        )
        assert.strictEqual(d("aio_request_attempts_total", down), 2, "the refused request sent nothing")
        assert.strictEqual(
          // counted by the breaker itself, labelled with its scope (the endpoint)
          d("aio_request_circuit_breaker_transitions_total", { scope: endpoint, from: "closed", to: "open" }),
          1
        )

        assert.strictEqual(
          d("aio_request_latency_count", {
            request_endpoint: endpoint,
            request_method: "GET",
            request_path: "/slow",
            response_status: "408",
            circuit_breaker: "false"
          }),
          1
        )
        assert.strictEqual(
          d("aio_request_latency_count", {
            request_endpoint: nowhere,
            request_method: "GET",
            request_path: "/users/{id}",
            response_status: "489",
            circuit_breaker: "false"
          }),
          1
        )
      }).pipe(
        Effect.provide(undici),
        Effect.provide(Observability.layerPrometheus({ port: 0 }))
      )
  )

  scopedLive(
    "OTLP receives the request → attempt span tree, and the server spans continue the trace",
    () =>
      Effect.gen(function*() {
        const receiver = yield* Receiver.receiver
        const endpoint = yield* Effect.gen(function*() {
          const endpoint = yield* serveUpstream
          const client = yield* ResilientHttpClient.make({ endpoint, strategy: quick, serviceName: "e2e-caller" })
          const response = yield* client.execute(HttpRequest.get("/flaky/{id}", { path: { id: "otlp" } }))
          assert.strictEqual(response.status, 200)
          return endpoint
        }).pipe(
          // the server closes before the export layer is released
          Effect.scoped,
          Effect.provide(undici),
          Effect.provide(Observability.layerOtlp({ url: receiver.url, serviceName: "e2e", exportInterval: "1 hour" }))
        )

        // the layer flushed everything when it was released
        const spans = yield* receiver.spans
        const byId = new Map(spans.map((s) => [s.spanId, s]))
        const request = spans.find((s) =>
          s.name === "aio_request.request" && s.attributes["aio_request.endpoint"] !== undefined
        )
        assert.isDefined(request, `no aio_request.request span among ${spans.map((s) => s.name).join(", ")}`)
        const attempts = spans
          .filter((s) => s.name === "aio_request.attempt" && s.parentSpanId === request!.spanId)
          .sort((a, b) => Number(a.attributes["aio_request.attempt"]) - Number(b.attributes["aio_request.attempt"]))
        assert.deepStrictEqual(
          attempts.map((
            s
          ) => [
            s.attributes["aio_request.attempt"],
            s.attributes["aio_request.attempt.kind"],
            s.attributes["aio_request.verdict"]
          ]),
          [[0, "first", "reject"], [1, "retry", "accept"]]
        )

        /** The nearest `aio_request.attempt` above a span. */
        const attemptAbove = (spanId: string | undefined): string | undefined => {
          let current = spanId === undefined ? undefined : byId.get(spanId)
          while (current !== undefined && current.name !== "aio_request.attempt") {
            current = current.parentSpanId === undefined ? undefined : byId.get(current.parentSpanId)
          }
          return current?.spanId
        }
        const serverSpans = spans.filter((s) => s.traceId === request!.traceId && s.kind === serverSpanKind)
        assert.strictEqual(serverSpans.length, 2, "one server span per attempt, in the caller's trace")
        assert.deepStrictEqual(
          serverSpans.map((s) => attemptAbove(s.parentSpanId)).sort(),
          attempts.map((s) => s.spanId).sort(),
          "each server span descends from the attempt that reached it"
        )
        assert.isTrue(serverSpans.every((s) => s.attributes["http.route"] === "/flaky/:id"))
        // each line's name of a server span (Effect 3: "http.server GET", Effect 4: "GET")
        assert.isTrue(serverSpans.every((s) => serverSpanName.test(s.name)), serverSpans.map((s) => s.name).join(", "))
        assert.isTrue(spans.every((s) => s.resource["service.name"] === "e2e"))

        // and the metrics were pushed with the same labels the scrape shows
        const latency = (yield* receiver.metrics).filter((m) => m.name === "aio_request_latency")
        assert.isTrue(
          latency.some((m) =>
            m.data.histogram.dataPoints.some((p: any) => {
              const a = Receiver.attributes(p.attributes)
              return a.request_endpoint === endpoint && a.request_path === "/flaky/{id}" && a.response_status === "200"
            })
          )
        )
      })
  )
})
