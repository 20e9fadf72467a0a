/**
 * OTLP/HTTP export to a local receiver, on both lines (the kit
 * `@aio-request/line/opentelemetry` is the line under test): the metrics with
 * their names and labels, the latency histogram in seconds (`s`) with the
 * seed's buckets, the attempts counter monotonic, the resource, and spans.
 */
import {
  assert,
  countAttempts,
  describe,
  Effect,
  it,
  line,
  Observability,
  recordLatency,
  runtimeMetrics,
  scopedLive
} from "@aio-request/line/opentelemetry"
import { HttpMetrics } from "@aio-request/line/platform"
import * as Receiver from "../support/otlpReceiverNode.js"
import { eventually, receiver as scopedReceiver } from "./support/loopback.js"

const seedBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.75, 1, 5, 10]
  .concat([15, 20])

let next = 0
const uniqueEndpoint = (name: string) => `http://${name}-${line}-${process.pid}-${next++}.test`

/** The latest export of the metric `name`. */
const last = (metrics: ReadonlyArray<Receiver.OtlpMetric>, name: string): Receiver.OtlpMetric =>
  [...metrics].reverse().find((m) => m.name === name) ?? assert.fail(`no metric ${name} received`)

describe(`Observability.layerOtlp (Effect ${line})`, () => {
  it.live("pushes the metrics (latency in seconds, counters monotonic) and spans, flushed on release", () =>
    Effect.gen(function*() {
      const receiver = yield* Effect.promise(Receiver.start)
      const endpoint = uniqueEndpoint("otlp")
      const labels = { request_endpoint: endpoint, request_method: "GET", request_path: "/users/:id" }
      yield* Effect.gen(function*() {
        yield* recordLatency({ ...labels, response_status: "200", circuit_breaker: "false" }, 0.042)
        yield* countAttempts(labels, 2)
        yield* Effect.void.pipe(Effect.withSpan("aio_request.test", { attributes: { "test.line": line } }))
      }).pipe(
        Effect.provide(Observability.layerOtlp({
          url: receiver.url,
          serviceName: "users-api",
          serviceVersion: "1.2",
          attributes: { "deployment.environment": "test" },
          headers: { "x-api-key": "k" },
          exportInterval: "1 minute",
          spanProcessor: "simple"
        }))
      )
      // the layer is released: its final export has reached the receiver
      const received = receiver.received()
      yield* Effect.promise(receiver.close)
      const metricsRequests = received.filter((r) => r.path === "/v1/metrics")
      assert.isAbove(metricsRequests.length, 0, "no metrics export")
      assert.strictEqual(metricsRequests[0]!.headers["x-api-key"], "k")
      assert.match(metricsRequests[0]!.contentType ?? "", /json/)
      const metrics = Receiver.metricsOf(received)

      const latency = last(metrics, "aio_request_latency")
      assert.strictEqual(latency.data.unit, "s")
      assert.strictEqual(latency.resource["service.name"], "users-api")
      assert.strictEqual(latency.resource["service.version"], "1.2")
      assert.strictEqual(latency.resource["deployment.environment"], "test")
      const point = latency.data.histogram.dataPoints.find((p: any) =>
        Receiver.attributes(p.attributes).request_endpoint === endpoint
      )
      assert.isDefined(point, "no data point of the test's endpoint")
      assert.deepStrictEqual(Receiver.attributes(point.attributes), {
        ...labels,
        response_status: "200",
        circuit_breaker: "false"
      })
      assert.deepStrictEqual(point.explicitBounds, seedBounds)
      assert.strictEqual(Number(point.count), 1)
      assert.closeTo(point.sum, 0.042, 1e-9)

      const attempts = last(metrics, "aio_request_attempts")
      assert.isTrue(attempts.data.sum.isMonotonic)
      const attemptPoint = attempts.data.sum.dataPoints.find((p: any) =>
        Receiver.attributes(p.attributes).request_endpoint === endpoint
      )
      assert.strictEqual(Number(attemptPoint.asDouble ?? attemptPoint.asInt), 2)
      // Effect's runtime metrics are left out
      assert.isFalse(metrics.some((m) => /^(effect_fiber|child_fiber)/.test(m.name)))

      const spans = Receiver.spansOf(received)
      const span = spans.find((s) => s.name === "aio_request.test")
      assert.isDefined(span, `no span among ${spans.map((s) => s.name).join(", ")}`)
      assert.strictEqual(span!.resource["service.name"], "users-api")
      assert.strictEqual(span!.attributes["test.line"], line)
      assert.match(span!.traceId, /^[0-9a-f]{32}$/)
    }))

  it.live("metrics: false and traces: false push nothing", () =>
    Effect.gen(function*() {
      const receiver = yield* Effect.promise(Receiver.start)
      yield* countAttempts({ request_endpoint: uniqueEndpoint("off") }, 1).pipe(
        Effect.withSpan("aio_request.off"),
        Effect.provide(Observability.layerOtlp({ url: receiver.url, serviceName: "s", metrics: false, traces: false }))
      )
      const received = receiver.received()
      yield* Effect.promise(receiver.close)
      assert.deepStrictEqual(received.map((r) => r.path), [])
    }))
})

describe(`OTLP units (Effect ${line})`, () => {
  scopedLive(
    "the latency histograms are declared in seconds; no runtime metrics unless asked for",
    () =>
      Effect.gen(function*() {
        const receiver = yield* scopedReceiver
        const endpoint = uniqueEndpoint("otlp-units")
        yield* Effect.gen(function*() {
          yield* HttpMetrics.recordClientRequest(
            { endpoint, method: "GET", path: "/o", status: 200, circuitBreaker: false },
            0.01
          )
          yield* HttpMetrics.recordServerRequest({ client: endpoint, method: "GET", path: "/o", status: 200 }, 0.01)
          yield* eventually(
            receiver.metrics,
            (ms) => ms.some((m) => m.name === "aio_request_server_latency"),
            "aio_request_server_latency over OTLP"
          )
        }).pipe(
          Effect.provide(Observability.layerOtlp({
            url: receiver.url,
            serviceName: "units",
            traces: false,
            exportInterval: "100 millis"
          }))
        )
        const metrics = yield* receiver.metrics
        for (const name of ["aio_request_latency", "aio_request_server_latency"]) {
          const metric = metrics.find((m) => m.name === name)
          assert.isDefined(metric, name)
          assert.strictEqual(metric!.data.unit, "s", name)
        }
        assert.isFalse(metrics.some((m) => m.name.startsWith(runtimeMetrics.prefix)))
      })
  )
})
