/**
 * What the metrics cost: ns per recording call (HttpMetrics helpers, inside one
 * running fiber), and the time and size of a Prometheus scrape over HTTP on
 * 127.0.0.1 as the number of label sets grows.
 *
 *   cd packages/opentelemetry && npx tsx bench/metrics.ts
 */
import { Observability } from "@aio-request/opentelemetry"
import { HttpMetrics } from "@aio-request/platform"
import { Effect, Metric, MetricLabel } from "effect"

const iterations = Number(process.env.BENCH_ITERATIONS ?? 200_000)

const measure = (name: string, n: number, make: (i: number) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    for (let i = 0; i < n / 10; i++) yield* make(i) // warm-up
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) yield* make(i)
    return { name, ns: Number(process.hrtime.bigint() - start) / n }
  })

const labels = { endpoint: "http://bench:8080/", method: "GET", path: "/users/:id" }

// the lower bound: the labelled series looked up once, outside the loop
const preTagged = Metric.taggedWithLabels(HttpMetrics.clientLatency, [
  MetricLabel.make("request_endpoint", labels.endpoint),
  MetricLabel.make("request_method", labels.method),
  MetricLabel.make("request_path", labels.path),
  MetricLabel.make("response_status", "200"),
  MetricLabel.make("circuit_breaker", "false")
])

const recording = Effect.gen(function*() {
  const rows = []
  for (let round = 0; round < 2; round++) {
    rows.length = 0
    rows.push(yield* measure("Effect.void (baseline)", iterations, () => Effect.void))
    rows.push(
      yield* measure("update, series pre-tagged", iterations, (i) => Metric.update(preTagged, (i % 100) / 1000))
    )
    rows.push(
      yield* measure(
        "recordClientRequest",
        iterations,
        (i) => HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, (i % 100) / 1000)
      )
    )
    rows.push(
      yield* measure(
        "recordAttempt (retry)",
        iterations,
        (i) => HttpMetrics.recordAttempt({ ...labels, status: 200, kind: "retry" }, (i % 100) / 1000)
      )
    )
    rows.push(
      yield* measure(
        "recordServerRequest",
        iterations,
        (i) =>
          HttpMetrics.recordServerRequest({ client: "bench", method: "GET", path: "/users/:id", status: 200 }, i / 1e5)
      )
    )
  }
  console.log(`HttpMetrics recording, ${iterations} calls each, one fiber (node ${process.version})`)
  console.log("name                       ns/call")
  for (const row of rows) console.log(`${row.name.padEnd(26)} ${row.ns.toFixed(0).padStart(7)}`)
})

const scraping = Effect.gen(function*() {
  const { url } = yield* Observability.PrometheusEndpoint
  console.log("\nPrometheus scrape over HTTP on 127.0.0.1 (median of 20), by client label sets")
  console.log("label sets   series lines   bytes      ms/scrape")
  let recorded = 0
  for (const sets of [10, 100, 1000]) {
    for (; recorded < sets; recorded++) {
      yield* HttpMetrics.recordClientRequest(
        {
          endpoint: "http://scrape:8080/",
          method: "GET",
          path: `/route/${recorded}`,
          status: 200,
          circuitBreaker: false
        },
        0.01
      )
    }
    const times: Array<number> = []
    let body = ""
    for (let i = 0; i < 20; i++) {
      const start = process.hrtime.bigint()
      body = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    times.sort((a, b) => a - b)
    const lines = body.split("\n").filter((l) => l.length > 0 && !l.startsWith("#")).length
    console.log(
      `${String(sets).padStart(10)}   ${String(lines).padStart(12)}   ${String(body.length).padStart(9)}   ${
        times[10]!.toFixed(2).padStart(9)
      }`
    )
  }
}).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 })))

Effect.runPromise(Effect.zipRight(recording, scraping))
