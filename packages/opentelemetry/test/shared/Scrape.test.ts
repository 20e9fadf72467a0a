/**
 * The Prometheus scrape over loopback HTTP, on both lines (the kit
 * `@aio-request/line/opentelemetry` is the line under test): names, labels
 * and units as the API says (counters `_total`, histograms in seconds with
 * the seed's buckets, `target_info`), the endpoint's answers, a large
 * scrape that keeps the event loop turning, gzip as the scraper asks,
 * runtime metrics only when asked for, bounded client labels and
 * sub-millisecond server latency.
 */
import {
  assert,
  countAttempts,
  describe,
  Effect,
  forkCounted,
  it,
  Layer,
  line,
  Observability,
  recordLatency,
  respond,
  runtimeMetrics,
  scopedLive
} from "@aio-request/line/opentelemetry"
import { HttpMetrics } from "@aio-request/line/platform"
import { get as send, route, serve } from "@aio-request/line/platform-testkit"
import * as Http from "node:http"
import * as Net from "node:net"
import { gunzipSync } from "node:zlib"
import { parse } from "../support/prometheusText.js"
import { scrape } from "./support/loopback.js"

// The metric registry is global to the process: tests use their own endpoint label.
let next = 0
const uniqueEndpoint = (name: string) => `http://${name}-${line}-${process.pid}-${next++}.test`

const seedBuckets = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4"]
  .concat(["0.45", "0.5", "0.75", "1", "5", "10", "15", "20", "+Inf"])

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: string
}

const request = (url: string, init?: RequestInit): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: await response.text() }
  })

describe(`Observability.layerPrometheus (Effect ${line})`, () => {
  it.live("counters end in _total, histograms are in seconds with the seed's buckets, target_info", () =>
    Effect.gen(function*() {
      const endpoint = uniqueEndpoint("names")
      const labels = { request_endpoint: endpoint, request_method: "GET", request_path: "/users/:id" }
      yield* recordLatency({ ...labels, response_status: "200", circuit_breaker: "false" }, 0.02)
      yield* recordLatency({ ...labels, response_status: "200", circuit_breaker: "false" }, 0.7)
      yield* countAttempts(labels, 2)
      yield* countAttempts(labels, 1)

      const { url } = yield* Observability.PrometheusEndpoint
      const answer = yield* request(url)
      assert.strictEqual(answer.status, 200)
      assert.match(answer.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/)
      const s = parse(answer.body)

      assert.strictEqual(s.types.get("aio_request_latency"), "histogram")
      assert.strictEqual(s.types.get("aio_request_attempts_total"), "counter")
      assert.notInclude(answer.body, "# UNIT")
      assert.include(
        answer.body,
        "# HELP aio_request_latency Latency of a client request, all attempts included, in seconds\n"
      )
      assert.strictEqual(s.value("aio_request_attempts_total", labels), 3)
      const series = { ...labels, response_status: "200", circuit_breaker: "false" }
      const buckets = s.find("aio_request_latency_bucket", series)
      assert.deepStrictEqual(buckets.map((b) => b.labels.le), seedBuckets)
      assert.deepStrictEqual(Object.keys(buckets[0]!.labels).sort(), [...Object.keys(series), "le"].sort())
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...series, le: "0.025" }), 1)
      assert.strictEqual(s.value("aio_request_latency_bucket", { ...series, le: "0.75" }), 2)
      assert.strictEqual(s.value("aio_request_latency_count", series), 2)
      assert.closeTo(s.value("aio_request_latency_sum", series), 0.72, 1e-9)
      assert.deepStrictEqual(s.find("target_info").map((t) => t.labels), [
        { service_name: "users-api", service_version: "1.2", deployment_environment: "test" }
      ])
      // Effect's runtime metrics are left out
      assert.isFalse(s.samples.some((sample) => /^(effect_fiber|child_fiber)/.test(sample.name)))
    }).pipe(
      Effect.provide(Observability.layerPrometheus({
        port: 0,
        serviceName: "users-api",
        serviceVersion: "1.2",
        attributes: { "deployment.environment": "test" }
      }))
    ))

  it.live("answers 404 elsewhere, 405 to POST, headers to HEAD, gzip when asked", () =>
    Effect.gen(function*() {
      const endpoint = yield* Observability.PrometheusEndpoint
      assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+\/scrape$/)
      assert.strictEqual(endpoint.host, "127.0.0.1")
      assert.strictEqual(endpoint.path, "/scrape")
      const base = `http://127.0.0.1:${endpoint.port}`
      assert.strictEqual((yield* request(`${base}/metrics`)).status, 404)
      const post = yield* request(endpoint.url, { method: "POST" })
      assert.strictEqual(post.status, 405)
      assert.strictEqual(post.headers.get("allow"), "GET, HEAD")
      const head = yield* request(endpoint.url, { method: "HEAD" })
      assert.strictEqual(head.status, 200)
      assert.strictEqual(head.body, "")
      const gzipped = yield* request(endpoint.url, { headers: { "accept-encoding": "gzip" } })
      assert.strictEqual(gzipped.headers.get("content-encoding"), "gzip")
      const plain = yield* request(endpoint.url, { headers: { "accept-encoding": "identity" } })
      assert.isNull(plain.headers.get("content-encoding"))
      assert.strictEqual(gzipped.body, plain.body)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0, path: "/scrape" }))))

  it.live("fails with PrometheusServeError when the port is taken", () =>
    Effect.gen(function*() {
      const server = Net.createServer()
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) =>
          server.listen({ host: "127.0.0.1", port: 0 }, () => resolve((server.address() as Net.AddressInfo).port))
        )
      )
      const error = yield* Effect.flip(Effect.scoped(Layer.build(Observability.layerPrometheus({ port }))))
      yield* Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
      assert.strictEqual(error._tag, "PrometheusServeError")
      assert.strictEqual(error.port, port)
      assert.match(error.message, /cannot serve Prometheus metrics on 127\.0\.0\.1:\d+/)
    }))

  it.live("a large scrape (3,000 label sets) is whole, and the event loop keeps turning while it is written", () =>
    Effect.gen(function*() {
      const endpoint = uniqueEndpoint("large")
      for (let i = 0; i < 3000; i++) {
        const labels = { request_endpoint: endpoint, request_method: "GET", request_path: `/large/${i}` }
        yield* recordLatency({ ...labels, response_status: "200", circuit_breaker: "false" }, i / 10_000)
        yield* countAttempts(labels, 1)
      }
      const { url } = yield* Observability.PrometheusEndpoint
      // the longest the event loop went without running a setImmediate callback, during the scrape
      const gaps = { longest: 0, last: 0, running: true, arriving: false, ticks: 0 }
      const tick = () => {
        const now = performance.now()
        gaps.longest = Math.max(gaps.longest, now - gaps.last)
        gaps.last = now
        if (gaps.arriving) gaps.ticks++
        if (gaps.running) setImmediate(tick)
      }
      gaps.last = performance.now()
      setImmediate(tick)
      const started = performance.now()
      // the body is taken as raw chunks, and decoded once the ticks have stopped
      const chunks = yield* Effect.promise(() =>
        new Promise<Array<Buffer>>((resolve, reject) => {
          Http.get(url, (response) => {
            const received: Array<Buffer> = []
            response.on("data", (chunk: Buffer) => {
              gaps.arriving = true
              received.push(chunk)
            })
            response.on("end", () => {
              gaps.running = false
              resolve(received)
            })
          }).on("error", reject)
        })
      )
      const took = performance.now() - started
      const answer = { body: Buffer.concat(chunks).toString("utf8") }
      const s = parse(answer.body)
      const mine = s.find("aio_request_latency_count", { request_endpoint: endpoint })
      assert.strictEqual(mine.length, 3000)
      assert.strictEqual(s.find("aio_request_attempts_total", { request_endpoint: endpoint }).length, 3000)
      assert.strictEqual(s.find("aio_request_latency_bucket", { request_endpoint: endpoint }).length, 3000 * 21)
      assert.strictEqual(
        s.value("aio_request_latency_sum", { request_endpoint: endpoint, request_path: "/large/2999" }),
        0.2999
      )
      assert.deepStrictEqual(parse(s.text).types, s.types)
      console.log(
        `[Effect ${line}] scrape of ${answer.body.length} bytes in ${took.toFixed(1)} ms; ` +
          `longest event-loop stall ${gaps.longest.toFixed(1)} ms, ${gaps.ticks} turns while the body arrived`
      )
      // about 12 MB: the writer gave the loop back between its slices (the stall, which a busy
      // machine stretches, is only reported)
      assert.isAbove(gaps.ticks, 5, "turns of the event loop while the body was arriving")
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))
})

const unique = (name: string) => `${name}-${line}-${process.pid}-${next++}`

/** A GET with node:http, which (unlike fetch) sends only the headers given and does not decode the body. */
const rawGet = (url: string, headers: Record<string, string>) =>
  Effect.promise(() =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const request = Http.get(url, { headers }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on(
          "end",
          () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) })
        )
        response.on("error", reject)
      })
      request.on("error", reject)
    })
  )

describe(`Prometheus scrape as an operator sees it (Effect ${line})`, () => {
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
      // a fiber run with runtime metrics on puts runtime series in the registry
      yield* forkCounted
      yield* HttpMetrics.recordServerRequest({ client: unique("units"), method: "GET", path: "/u", status: 200 }, 0.01)
      const off = yield* Effect.flatMap(Observability.PrometheusEndpoint, ({ url }) => scrape(url)).pipe(
        Effect.provide(Observability.layerPrometheus({ port: 0 }))
      )
      assert.notInclude(off.text, "# UNIT")
      assert.notInclude(off.text, runtimeMetrics.prefix)
      assert.notInclude(off.text, "description missing")
      assert.match(off.text, /^# HELP aio_request_server_latency .*seconds/m)
      assert.strictEqual(off.types.get("aio_request_server_latency"), "histogram")
      // every family is written in one piece
      const typeLines = off.text.split("\n").filter((line) => line.startsWith("# TYPE "))
      assert.strictEqual(new Set(typeLines).size, typeLines.length)

      const on = yield* Effect.flatMap(Observability.PrometheusEndpoint, ({ url }) => scrape(url)).pipe(
        Effect.provide(Observability.layerPrometheus({ port: 0, runtimeMetrics: true }))
      )
      assert.isAbove(on.value(runtimeMetrics.started), 0)
      assert.notInclude(on.text, "# UNIT")
    }))

  scopedLive(
    "request_client is bounded: past maxClients, callers are recorded as <other>",
    () =>
      Effect.gen(function*() {
        const path: `/${string}` = `/bounded-${line}-${next++}`
        const url = yield* serve(route(path, Effect.succeed(respond.text("ok"))), { maxClients: 3 })
        const callers = Array.from({ length: 8 }, (_, i) => unique(`caller${i}`))
        for (const caller of callers) {
          assert.strictEqual((yield* send(`${url}${path}`, { "x-service-name": caller })).status, 200)
        }
        // a caller already recorded keeps its own label
        assert.strictEqual((yield* send(`${url}${path}`, { "x-service-name": callers[0]! })).status, 200)

        const { url: metrics } = yield* Observability.PrometheusEndpoint
        const s = yield* scrape(metrics)
        const series = s.find("aio_request_server_latency_count", { request_path: path })
        const byClient = Object.fromEntries(series.map((sample) => [sample.labels.request_client!, sample.value]))
        assert.deepStrictEqual(byClient, {
          [callers[0]!]: 2,
          [callers[1]!]: 1,
          [callers[2]!]: 1,
          [HttpMetrics.overflowLabel]: 5
        })
      }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 })))
  )

  scopedLive("server latency has sub-millisecond resolution", () =>
    Effect.gen(function*() {
      const path: `/${string}` = `/fast-${line}-${next++}`
      const client = unique("fast")
      const url = yield* serve(route(path, Effect.succeed(respond.text("ok"))))
      for (let i = 0; i < 5; i++) yield* send(`${url}${path}`, { "x-service-name": client })
      const { url: metrics } = yield* Observability.PrometheusEndpoint
      const s = yield* scrape(metrics)
      const labels = { request_client: client, request_path: path }
      assert.strictEqual(s.value("aio_request_server_latency_count", labels), 5)
      const sum = s.value("aio_request_server_latency_sum", labels)
      assert.isAbove(sum, 0)
      // timed on whole milliseconds, the sum would be a multiple of 0.001
      assert.isAbove(Math.abs(sum * 1000 - Math.round(sum * 1000)), 1e-9, `sum ${sum}`)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))
})
