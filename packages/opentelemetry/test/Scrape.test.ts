/**
 * The scrape as a Prometheus operator sees it: gzip when asked, units and
 * runtime metrics, bounded client labels, sub-millisecond server latency, and
 * large scrapes written whole.
 */
import { Observability } from "@aio-request/opentelemetry"
import { HttpMetrics, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, RuntimeFlags, RuntimeFlagsPatch } from "effect"
import { createServer, get as httpGet } from "node:http"
import { gunzipSync } from "node:zlib"
import { eventually } from "./support/eventually.js"
import * as Receiver from "./support/otlpReceiver.js"
import { parse, scrape } from "./support/prometheus.js"

let next = 0
const unique = (name: string) => `${name}-${process.pid}-${next++}`

/** A GET with node:http, which (unlike fetch) sends only the headers given and does not decode the body. */
const rawGet = (url: string, headers: Record<string, string>) =>
  Effect.async<{ status: number; headers: Record<string, unknown>; body: Buffer }, Error>((resume) => {
    const request = httpGet(url, { headers }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on(
        "end",
        () =>
          resume(
            Effect.succeed({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) })
          )
      )
      response.on("error", (error) => resume(Effect.fail(error)))
    })
    request.on("error", (error) => resume(Effect.fail(error)))
  })

/** Serves `router` behind `ServerMiddleware.make(options)` on 127.0.0.1; the base URL. */
const serve = (router: HttpRouter.HttpRouter<never, never>, options?: ServerMiddleware.Options) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })).pipe(
      Effect.orDie
    )
    yield* HttpServer.serveEffect(ServerMiddleware.make(options))(router).pipe(Effect.provide(context))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not a TCP server")
    return `http://127.0.0.1:${address.port}`
  })

const send = (url: string, headers: Record<string, string>) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers)))
    yield* response.text
    return response.status
  }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

describe("Prometheus scrape", () => {
  it.live("gzipped when the scraper sends Accept-Encoding: gzip, plain text otherwise", () =>
    Effect.gen(function*() {
      const endpoint = `http://${unique("gzip")}.test`
      yield* HttpMetrics.recordClientRequest(
        { endpoint, method: "GET", path: "/g", status: 200, circuitBreaker: false },
        0.01
      )
      const { url } = yield* Observability.PrometheusEndpoint
      const zipped = yield* rawGet(url, { "accept-encoding": "gzip, deflate" })
      assert.strictEqual(zipped.status, 200)
      assert.strictEqual(zipped.headers["content-encoding"], "gzip")
      assert.match(String(zipped.headers["content-type"]), /^text\/plain; version=0\.0\.4/)
      const text = gunzipSync(zipped.body).toString("utf8")
      assert.include(text, `aio_request_latency_count{request_endpoint="${endpoint}"`)

      const plain = yield* rawGet(url, {})
      assert.isUndefined(plain.headers["content-encoding"])
      assert.include(plain.body.toString("utf8"), `aio_request_latency_count{request_endpoint="${endpoint}"`)
      assert.isBelow(zipped.body.length, plain.body.length / 3, "the gzipped scrape is much smaller")

      const refused = yield* rawGet(url, { "accept-encoding": "gzip;q=0, identity" })
      assert.isUndefined(refused.headers["content-encoding"])
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))

  it.live("no unit lines, seconds in the help text, Effect's runtime metrics left out unless asked for", () =>
    Effect.gen(function*() {
      // a fiber run with runtime metrics on puts effect_fiber_* series in the registry
      yield* Effect.fork(Effect.void).pipe(
        Effect.flatMap((fiber) => fiber.await),
        Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.RuntimeMetrics))
      )
      yield* HttpMetrics.recordServerRequest({ client: unique("units"), method: "GET", path: "/u", status: 200 }, 0.01)
      const off = yield* Effect.flatMap(Observability.PrometheusEndpoint, ({ url }) => scrape(url)).pipe(
        Effect.provide(Observability.layerPrometheus({ port: 0 }))
      )
      assert.notInclude(off.text, "# UNIT")
      assert.notInclude(off.text, "effect_fiber_")
      assert.notInclude(off.text, "description missing")
      assert.match(off.text, /^# HELP aio_request_server_latency .*seconds/m)
      assert.strictEqual(off.types.get("aio_request_server_latency"), "histogram")
      // every family is written in one piece
      const typeLines = off.text.split("\n").filter((line) => line.startsWith("# TYPE "))
      assert.strictEqual(new Set(typeLines).size, typeLines.length)

      const on = yield* Effect.flatMap(Observability.PrometheusEndpoint, ({ url }) => scrape(url)).pipe(
        Effect.provide(Observability.layerPrometheus({ port: 0, runtimeMetrics: true }))
      )
      assert.isAbove(on.value("effect_fiber_started_total"), 0)
      assert.notInclude(on.text, "# UNIT")
    }))

  it.live("a large scrape (3,000 label sets, written in slices) is whole and parses", () =>
    Effect.gen(function*() {
      const endpoint = `http://${unique("large")}.test`
      for (let i = 0; i < 3000; i++) {
        yield* HttpMetrics.recordClientRequest(
          { endpoint, method: "GET", path: `/large/${i}`, status: 200, circuitBreaker: false },
          i / 1000
        )
      }
      const { url } = yield* Observability.PrometheusEndpoint
      const s = yield* scrape(url)
      const counts = s.find("aio_request_latency_count", { request_endpoint: endpoint })
      assert.strictEqual(counts.length, 3000)
      assert.strictEqual(s.find("aio_request_latency_bucket", { request_endpoint: endpoint }).length, 3000 * 21)
      assert.strictEqual(
        s.value("aio_request_latency_sum", { request_endpoint: endpoint, request_path: "/large/2999" }),
        2.999
      )
      assert.deepStrictEqual(parse(s.text).types, s.types)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))

  it.scopedLive("request_client is bounded: past maxClients, callers are recorded as <other>", () =>
    Effect.gen(function*() {
      const route: `/${string}` = `/bounded-${next++}`
      const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get(route, HttpServerResponse.text("ok"))), {
        maxClients: 3
      })
      const callers = Array.from({ length: 8 }, (_, i) => unique(`caller${i}`))
      for (const caller of callers) assert.strictEqual(yield* send(`${url}${route}`, { "x-service-name": caller }), 200)
      // a caller already recorded keeps its own label
      assert.strictEqual(yield* send(`${url}${route}`, { "x-service-name": callers[0]! }), 200)

      const { url: metrics } = yield* Observability.PrometheusEndpoint
      const s = yield* scrape(metrics)
      const series = s.find("aio_request_server_latency_count", { request_path: route })
      const byClient = Object.fromEntries(series.map((sample) => [sample.labels.request_client!, sample.value]))
      assert.deepStrictEqual(byClient, {
        [callers[0]!]: 2,
        [callers[1]!]: 1,
        [callers[2]!]: 1,
        [HttpMetrics.overflowLabel]: 5
      })
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))

  it.scopedLive("server latency has sub-millisecond resolution", () =>
    Effect.gen(function*() {
      const route: `/${string}` = `/fast-${next++}`
      const client = unique("fast")
      const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get(route, HttpServerResponse.text("ok"))))
      for (let i = 0; i < 5; i++) yield* send(`${url}${route}`, { "x-service-name": client })
      const { url: metrics } = yield* Observability.PrometheusEndpoint
      const s = yield* scrape(metrics)
      const labels = { request_client: client, request_path: route }
      assert.strictEqual(s.value("aio_request_server_latency_count", labels), 5)
      const sum = s.value("aio_request_server_latency_sum", labels)
      assert.isAbove(sum, 0)
      // timed on whole milliseconds, the sum would be a multiple of 0.001
      assert.isAbove(Math.abs(sum * 1000 - Math.round(sum * 1000)), 1e-9, `sum ${sum}`)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))
})

describe("OTLP units", () => {
  it.scopedLive("the latency histograms are declared in seconds; no runtime metrics unless asked for", () =>
    Effect.gen(function*() {
      const receiver = yield* Receiver.make
      const endpoint = `http://${unique("otlp-units")}.test`
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
      assert.isFalse(metrics.some((m) => m.name.startsWith("effect_fiber_")))
    }))
})
