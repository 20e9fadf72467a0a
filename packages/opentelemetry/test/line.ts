/**
 * The Effect 3 kit of the shared observability tests (test/shared): what they need from
 * `effect`, `@effect/vitest` and the line, under names that mean the same on both lines.
 * effect4/opentelemetry/test/line.ts is its Effect 4 twin. A shared test imports `effect`
 * only through a kit.
 */
import { latencyBuckets } from "@aio-request/kernel/http/metrics"
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries, RuntimeFlags, RuntimeFlagsPatch } from "effect"
import { refused as illegal } from "../../core/test/support/refused.js"
import * as Prometheus from "../src/internal/prometheus.js"
import * as Registry from "../src/internal/registry.js"

export { Observability } from "@aio-request/opentelemetry"
export { assert, describe, it } from "@effect/vitest"
export { Effect, Layer } from "effect"

/** Which line runs the test. */
export const line = 3 as 3 | 4

/** The message of the `IllegalArgumentException` that `f` throws. */
export const refused: (f: () => unknown) => string = illegal

/** Labels of a series. */
export type Labels = Readonly<Record<string, string>>

const tagged = <M extends Metric.Metric<any, any, any>>(metric: M, labels: Labels): M =>
  Object.entries(labels).reduce((m, [key, value]) => Metric.tagged(m, key, value) as M, metric)

const latency = Metric.histogram(
  "aio_request_latency",
  MetricBoundaries.fromIterable(latencyBuckets),
  "Latency of a client request, all attempts included, in seconds"
)

const attempts = Metric.counter("aio_request_attempts", { description: "Attempts sent by clients", incremental: true })

/** Records `seconds` in the client latency histogram (`aio_request_latency`, the seed's buckets). */
export const recordLatency = (labels: Labels, seconds: number): Effect.Effect<void> =>
  Metric.update(tagged(latency, labels), seconds)

/** Adds `n` to the attempts counter (`aio_request_attempts`, monotonic). */
export const countAttempts = (labels: Labels, n: number): Effect.Effect<void> =>
  Metric.update(tagged(attempts, labels), n)

// --- the scrape's glue, runtime metrics, routes (shared Observability, Scrape, ScrapeSlices, EndToEnd) ---

/** The scrape's glue (written once for both lines). */
export { Prometheus }

export { Exit, Ref } from "effect"

/** A live test with a scope (`it.scopedLive` on Effect 3, `it.live` on Effect 4). */
export const scopedLive: typeof it.scopedLive = it.scopedLive

/**
 * The whole exposition of the registry's public snapshot, in one synchronous pass
 * (`Metric.unsafeSnapshot`): what a sliced scrape of the same metrics must write.
 */
export const onePass = (options: Prometheus.WriteOptions): Effect.Effect<string> =>
  Effect.sync(() =>
    Prometheus.writeAll(Registry.snapshotView(Prometheus.makeCache(), Metric.unsafeSnapshot()), options)
  )

/** Effect's runtime metrics: their names' start, and the counter of started fibers as scraped. */
export const runtimeMetrics = { prefix: "effect_fiber_", started: "effect_fiber_started_total" } as const

/** Runs a fiber with runtime metrics on, so that the registry holds runtime series. */
export const forkCounted: Effect.Effect<void> = Effect.fork(Effect.void).pipe(
  Effect.flatMap((fiber) => fiber.await),
  Effect.asVoid,
  Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.RuntimeMetrics))
)

/** The route parameter `name` of the request a route handler answers. */
export const param = (name: string) => Effect.map(HttpRouter.params, (params) => params[name] ?? "")

/** Responses of route handlers. */
export const respond = {
  json: (body: unknown) => HttpServerResponse.unsafeJson(body),
  text: (body: string) => HttpServerResponse.text(body),
  status: (status: number) => HttpServerResponse.empty({ status })
}

/** The name of an HTTP server span (`http.server GET`). */
export const serverSpanName = /^http\.server/

/** Adds 1 to the monotonic counter `name` (a family of its own). */
export const countNew = (name: string): Effect.Effect<void> =>
  Metric.increment(Metric.counter(name, { incremental: true }))
