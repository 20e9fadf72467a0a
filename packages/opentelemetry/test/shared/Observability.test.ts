/**
 * The export layers on both lines (the kit `@aio-request/line/opentelemetry` is
 * the line under test): the seed histograms and counters with their labels and
 * buckets in a scrape, deltas between scrapes, where the endpoint listens, the
 * breaker's transitions, and the OTLP push of metrics and of the request →
 * attempt span tree.
 */
import { CircuitBreaker } from "@aio-request/line/core"
import {
  assert,
  describe,
  Effect,
  Exit,
  it,
  Layer,
  line,
  Observability,
  refused as illegal,
  scopedLive
} from "@aio-request/line/opentelemetry"
import { HttpMetrics } from "@aio-request/line/platform"
import * as Receiver from "./support/loopback.js"
import { eventually, freePort, get, holdPort, scrape } from "./support/loopback.js"

// The metric registry is global to the process: tests use their own endpoint
// label, or read deltas between two scrapes.
let next = 0
const uniqueEndpoint = (name: string) => `http://${name}-${line}-${process.pid}-${next++}.test`

const seedBuckets = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4"]
  .concat(["0.45", "0.5", "0.75", "1", "5", "10", "15", "20", "+Inf"])

/** The latest export of the metric `name`. */
const last = (metrics: ReadonlyArray<Receiver.OtlpMetric>, name: string): Receiver.OtlpMetric =>
  [...metrics].reverse().find((m) => m.name === name) ?? assert.fail(`no metric ${name} received`)

/** One closed → open transition of `scope`, made (and counted) by a real breaker. */
const openCircuit = (scope: string) =>
  Effect.gen(function*() {
    const breaker = yield* CircuitBreaker.make({
      breakDuration: "1 minute",
      samplingDuration: "1 minute",
      minimumThroughput: 1,
      failureThreshold: 0.5
    })
    yield* breaker.execute(scope, Effect.fail("boom"), Exit.isFailure).pipe(Effect.ignore)
    assert.strictEqual(yield* breaker.stateOf(scope), "open")
  })

describe(`Observability.layerPrometheus (Effect ${line})`, () => {
  it.live("serves the seed histograms with their labels and every bucket boundary", () =>
    Effect.gen(function*() {
      const endpoint = uniqueEndpoint("prom")
      const client = { endpoint, method: "GET", path: "/users/:id" }
      yield* HttpMetrics.recordClientRequest({ ...client, status: 200, circuitBreaker: false }, 0.02)
      yield* HttpMetrics.recordClientRequest({ ...client, status: 200, circuitBreaker: false }, 0.7)
      yield* HttpMetrics.recordClientRequest(
        { ...client, status: HttpMetrics.OutcomeStatus.circuitOpen, circuitBreaker: true },
        0
      )
      yield* HttpMetrics.recordAttempt({ ...client, status: 503, kind: "first" }, 0.04)
      yield* HttpMetrics.recordAttempt({ ...client, status: 200, kind: "retry" }, 0.01)
      yield* HttpMetrics.recordAttempt({ ...client, status: 200, kind: "hedge" }, 0.01)
      yield* HttpMetrics.recordServerRequest({ client: endpoint, method: "GET", path: "/users/:id", status: 200 }, 0.1)
      yield* openCircuit(endpoint)

      const { url } = yield* Observability.PrometheusEndpoint
      const answer = yield* get(url)
      assert.strictEqual(answer.status, 200)
      assert.match(answer.contentType ?? "", /^text\/plain/)
      const s = yield* scrape(url)

      assert.strictEqual(s.types.get("aio_request_latency"), "histogram")
      assert.strictEqual(s.types.get("aio_request_transport_latency"), "histogram")
      assert.strictEqual(s.types.get("aio_request_server_latency"), "histogram")

      const ok = {
        request_endpoint: endpoint,
        request_method: "GET",
        request_path: "/users/:id",
        response_status: "200",
        circuit_breaker: "false"
      }
      const buckets = s.find("aio_request_latency_bucket", ok)
      assert.deepStrictEqual(buckets.map((b) => b.labels.le), seedBuckets)
      // exactly the seed labels, nothing added by the exporter
      assert.deepStrictEqual(Object.keys(buckets[0]!.labels).sort(), [...Object.keys(ok), "le"].sort())
      // cumulative: 0.02 is in le=0.025, 0.7 in le=0.75
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...ok, le: "0.01" }), 0)
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...ok, le: "0.025" }), 1)
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...ok, le: "0.5" }), 1)
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...ok, le: "0.75" }), 2)
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...ok, le: "+Inf" }), 2)
      assert.strictEqual(s.value("aio_request_latency_count", ok), 2)
      assert.closeTo(s.value("aio_request_latency_sum", ok), 0.72, 1e-9)

      assert.strictEqual(
        s.value("aio_request_latency_count", { ...ok, response_status: "502", circuit_breaker: "true" }),
        1
      )

      const attempt = { request_endpoint: endpoint, request_method: "GET", request_path: "/users/:id" }
      assert.deepStrictEqual(
        s.find("aio_request_transport_latency_bucket", { ...attempt, response_status: "200" }).map((b) => b.labels.le),
        seedBuckets
      )
      assert.strictEqual(s.value("aio_request_transport_latency_count", { ...attempt, response_status: "200" }), 2)
      assert.strictEqual(s.value("aio_request_transport_latency_count", { ...attempt, response_status: "503" }), 1)
      assert.isUndefined(s.find("aio_request_transport_latency_count", attempt)[0]!.labels.circuit_breaker)

      assert.strictEqual(s.types.get("aio_request_attempts_total"), "counter")
      assert.strictEqual(s.types.get("aio_request_hedges_total"), "counter")
      assert.strictEqual(s.types.get("aio_request_retries_total"), "counter")
      assert.strictEqual(s.value("aio_request_attempts_total", attempt), 3)
      assert.strictEqual(s.value("aio_request_hedges_total", attempt), 1)
      assert.strictEqual(s.value("aio_request_retries_total", attempt), 1)

      const server = { request_client: endpoint, request_method: "GET", request_path: "/users/:id" }
      assert.deepStrictEqual(
        s.find("aio_request_server_latency_bucket", { ...server, response_status: "200" }).map((b) => b.labels.le),
        seedBuckets
      )
      assert.strictEqual(s.value("aio_request_server_latency_bucket", { ...server, le: "0.1" }), 1)
      assert.strictEqual(s.value("aio_request_server_latency_bucket", { ...server, le: "0.075" }), 0)

      assert.strictEqual(s.types.get("aio_request_circuit_breaker_transitions_total"), "counter")
      assert.strictEqual(
        s.value("aio_request_circuit_breaker_transitions_total", { scope: endpoint, from: "closed", to: "open" }),
        1
      )
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0, serviceName: "prom-test" }))))

  it.live("shows what happened between two scrapes as a delta", () =>
    Effect.gen(function*() {
      const { url } = yield* Observability.PrometheusEndpoint
      // fixed labels, shared with any other test of the process: read the delta
      const labels = { endpoint: "http://shared.test", method: "GET", path: "/shared" }
      const series = {
        request_endpoint: "http://shared.test",
        request_method: "GET",
        request_path: "/shared",
        response_status: "200",
        circuit_breaker: "false"
      }
      yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 0.2)
      const before = yield* scrape(url)
      yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 0.2)
      yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 3)
      const after = yield* scrape(url)
      const delta = (name: string, extra: Record<string, string> = {}) =>
        after.value(name, { ...series, ...extra }) - before.value(name, { ...series, ...extra })
      assert.strictEqual(delta("aio_request_latency_count"), 2)
      assert.strictEqual(delta("aio_request_latency_bucket", { le: "0.2" }), 1)
      assert.strictEqual(delta("aio_request_latency_bucket", { le: "5" }), 2)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))

  it.live("listens on the requested host, port and path, answers 404 elsewhere, and closes with the layer", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const endpoint = yield* Effect.provide(
        Effect.gen(function*() {
          const endpoint = yield* Observability.PrometheusEndpoint
          assert.deepStrictEqual(endpoint, {
            host: "127.0.0.1",
            port,
            path: "/internal/metrics",
            url: `http://127.0.0.1:${port}/internal/metrics`
          })
          assert.strictEqual((yield* get(`http://127.0.0.1:${port}/internal/metrics?x=1`)).status, 200)
          assert.strictEqual((yield* get(`http://127.0.0.1:${port}/metrics`)).status, 404)
          const post = yield* Effect.promise(() =>
            fetch(`http://127.0.0.1:${port}/internal/metrics`, { method: "POST" }).then((r) => r.status)
          )
          assert.strictEqual(post, 405)
          return endpoint
        }),
        Observability.layerPrometheus({ port, path: "/internal/metrics" })
      )
      const after = yield* Effect.exit(get(endpoint.url))
      assert.isTrue(Exit.isFailure(after), "the endpoint is closed once the layer is released")
    }))

  scopedLive("fails with PrometheusServeError when the port is taken", () =>
    Effect.gen(function*() {
      const port = yield* holdPort(0)
      // (a layer that builds would make flip fail the test)
      const error = yield* Effect.flip(Layer.build(Observability.layerPrometheus({ port })))
      assert.instanceOf(error, Observability.PrometheusServeError)
      assert.strictEqual(error._tag, "PrometheusServeError")
      assert.strictEqual(error.port, port)
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}.*EADDRINUSE`))
    }))

  it("refuses invalid options at construction", () => {
    assert.match(illegal(() => Observability.layerPrometheus({ port: -1 })), /layerPrometheus: option "port"/)
    assert.match(illegal(() => Observability.layerPrometheus({ port: 65536 })), /option "port"/)
    assert.match(illegal(() => Observability.layerPrometheus({ port: 80.5 })), /option "port"/)
    assert.match(illegal(() => Observability.layerPrometheus({ path: "metrics" })), /option "path"/)
    assert.match(illegal(() => Observability.layerPrometheus({ host: "" })), /option "host"/)
    assert.match(illegal(() => Observability.layerPrometheus({ serviceName: "" })), /option "serviceName"/)
  })
})

describe(`Observability.layerOtlp (Effect ${line})`, () => {
  scopedLive("pushes the metrics periodically and the request → attempt span tree", () =>
    Effect.gen(function*() {
      const receiver = yield* Receiver.receiver
      const endpoint = uniqueEndpoint("otlp")
      const labels = { endpoint, method: "GET", path: "/users/:id" }

      const spans = yield* Effect.gen(function*() {
        yield* Effect.gen(function*() {
          const attempt = (n: number, kind: string, verdict: string) =>
            Effect.sleep("5 millis").pipe(
              Effect.withSpan("aio_request.attempt", {
                attributes: {
                  "aio_request.attempt": n,
                  "aio_request.attempt.kind": kind,
                  "aio_request.verdict": verdict
                }
              })
            )
          yield* attempt(0, "first", "reject")
          yield* attempt(1, "retry", "accept")
          const span = yield* Effect.currentSpan
          return span
        }).pipe(Effect.withSpan("aio_request.request", { attributes: { "test.endpoint": endpoint } }))
        yield* HttpMetrics.recordAttempt({ ...labels, status: 503, kind: "first" }, 0.005)
        yield* HttpMetrics.recordAttempt({ ...labels, status: 200, kind: "retry" }, 0.005)
        yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 0.06)

        // pushed while the layer is alive, without waiting for the final flush
        const metrics = yield* eventually(
          receiver.metrics,
          (ms) =>
            ms.some((m) =>
              m.name === "aio_request_latency" &&
              m.data.histogram.dataPoints.some((p: any) =>
                Receiver.attributes(p.attributes).request_endpoint === endpoint
              )
            ),
          "aio_request_latency over OTLP"
        )
        const latency = last(metrics, "aio_request_latency")
        assert.strictEqual(latency.resource["service.name"], "otlp-test")
        const point = latency.data.histogram.dataPoints.find((p: any) =>
          Receiver.attributes(p.attributes).request_endpoint === endpoint
        )
        assert.deepStrictEqual(Receiver.attributes(point.attributes), {
          request_endpoint: endpoint,
          request_method: "GET",
          request_path: "/users/:id",
          response_status: "200",
          circuit_breaker: "false"
        })
        assert.deepStrictEqual(point.explicitBounds, HttpMetrics.latencyBuckets)
        assert.strictEqual(Number(point.count), 1)
        assert.strictEqual(point.bucketCounts.map(Number)[4], 1, "0.06 s falls in (0.05, 0.075]")

        const attempts = last(metrics, "aio_request_attempts")
        assert.isTrue(attempts.data.sum.isMonotonic, "counters are exported as monotonic sums")
        const retries = last(metrics, "aio_request_retries")
        const retryPoint = retries.data.sum.dataPoints.find((p: any) =>
          Receiver.attributes(p.attributes).request_endpoint === endpoint
        )
        assert.strictEqual(Number(retryPoint.asDouble ?? retryPoint.asInt), 1)
      }).pipe(
        Effect.provide(
          Observability.layerOtlp({
            url: receiver.url,
            serviceName: "otlp-test",
            exportInterval: "100 millis",
            headers: { "x-api-key": "secret" }
          })
        ),
        // the batch span processor flushes when the layer is released
        Effect.andThen(receiver.spans)
      )

      const request = spans.find((s) => s.name === "aio_request.request" && s.attributes["test.endpoint"] === endpoint)
      assert.isDefined(request)
      const children = spans.filter((s) => s.parentSpanId === request!.spanId)
      assert.deepStrictEqual(
        children.map((s) => [s.name, s.traceId, s.attributes]).sort(),
        [
          ["aio_request.attempt", request!.traceId, {
            "aio_request.attempt": 0,
            "aio_request.attempt.kind": "first",
            "aio_request.verdict": "reject"
          }],
          ["aio_request.attempt", request!.traceId, {
            "aio_request.attempt": 1,
            "aio_request.attempt.kind": "retry",
            "aio_request.verdict": "accept"
          }]
        ]
      )
      assert.strictEqual(request!.resource["service.name"], "otlp-test")

      const received = yield* receiver.received
      assert.isTrue(received.every((r) => r.contentType === "application/json"))
      assert.isTrue(received.every((r) => r.headers["x-api-key"] === "secret"))
    }))

  scopedLive("exports only what is asked for, once more when the layer is released", () =>
    Effect.gen(function*() {
      const receiver = yield* Receiver.receiver
      const endpoint = uniqueEndpoint("metrics-only")
      yield* Effect.gen(function*() {
        yield* openCircuit(endpoint)
        yield* Effect.void.pipe(Effect.withSpan("not-exported"))
      }).pipe(
        Effect.provide(
          Observability.layerOtlp({
            url: `${receiver.url}/`,
            serviceName: "m",
            traces: false,
            exportInterval: "1 hour"
          })
        )
      )
      const received = yield* receiver.received
      assert.deepStrictEqual(received.map((r) => r.path), ["/v1/metrics"], "one final push, no spans")
      const transitions = (yield* receiver.metrics).find((m) => m.name === "aio_request_circuit_breaker_transitions")
      assert.isDefined(transitions)
    }))

  scopedLive("exports spans one by one with the simple span processor", () =>
    Effect.gen(function*() {
      const receiver = yield* Receiver.receiver
      yield* Effect.gen(function*() {
        yield* Effect.void.pipe(Effect.withSpan("simple-span"))
        yield* eventually(receiver.spans, (spans) => spans.some((s) => s.name === "simple-span"), "the span")
      }).pipe(
        Effect.provide(
          Observability.layerOtlp({ url: receiver.url, serviceName: "s", metrics: false, spanProcessor: "simple" })
        )
      )
      assert.isTrue((yield* receiver.received).every((r) => r.path === "/v1/traces"))
    }))

  it("refuses invalid options at construction", () => {
    const base = { url: "http://127.0.0.1:4318", serviceName: "x" }
    assert.match(illegal(() => Observability.layerOtlp({ ...base, url: "127.0.0.1:4318" })), /layerOtlp: option "url"/)
    assert.match(illegal(() => Observability.layerOtlp({ ...base, url: "ftp://127.0.0.1" })), /option "url"/)
    assert.match(illegal(() => Observability.layerOtlp({ ...base, serviceName: "" })), /option "serviceName"/)
    assert.match(illegal(() => Observability.layerOtlp({ ...base, exportInterval: 0 })), /option "exportInterval"/)
    assert.match(illegal(() => Observability.layerOtlp({ ...base, exportTimeout: "forever" as any })), /exportTimeout/)
    assert.match(illegal(() => Observability.layerOtlp({ ...base, spanProcessor: "eager" as any })), /spanProcessor/)
    assert.match(illegal(() => Observability.layerOtlp({ ...base, headers: { a: 1 as any } })), /option "headers.a"/)
  })
})
