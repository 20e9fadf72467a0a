/**
 * The Effect 4 kit of the shared observability tests (packages/opentelemetry/test/shared):
 * what they need from `effect`, `@effect/vitest` and the line, under names that mean the
 * same on both lines. packages/opentelemetry/test/line.ts is its Effect 3 twin.
 */
import { latencyBuckets } from "@aio-request/kernel/http/metrics"
import { it } from "@effect/vitest"
import { Effect, Fiber, Metric } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import * as Prometheus from "../src/internal/prometheus.js"
import * as Registry from "../src/internal/registry.js"

export { Observability } from "@aio-request/opentelemetry"
export { assert, describe, it } from "@effect/vitest"
export { Effect, Layer } from "effect"

/** Which line runs the test. */
export const line = 4 as 3 | 4

/** The message of the `IllegalArgumentError` that `f` throws (fails the test if it throws nothing else). */
export { refused } from "../../core/test/line.js"

/** Labels of a series. */
export type Labels = Readonly<Record<string, string>>

const latency = Metric.histogram("aio_request_latency", {
  description: "Latency of a client request, all attempts included, in seconds",
  boundaries: Metric.boundariesFromIterable(latencyBuckets)
})

const attempts = Metric.counter("aio_request_attempts", { description: "Attempts sent by clients", incremental: true })

/** Records `seconds` in the client latency histogram (`aio_request_latency`, the seed's buckets). */
export const recordLatency = (labels: Labels, seconds: number): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(latency, labels), seconds)

/** Adds `n` to the attempts counter (`aio_request_attempts`, monotonic). */
export const countAttempts = (labels: Labels, n: number): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(attempts, labels), n)

// --- the scrape's glue, runtime metrics, routes (shared Observability, Scrape, ScrapeSlices, EndToEnd) ---

/** The scrape's glue (written once for both lines). */
export { Prometheus }

export { Exit, Ref } from "effect"

/** A live test with a scope (`it.scopedLive` on Effect 3, `it.live` on Effect 4). */
export const scopedLive: typeof it.live = it.live

/**
 * The whole exposition of the registry's public snapshot, in one synchronous pass
 * (`Metric.snapshot`): what a sliced scrape of the same metrics must write.
 */
export const onePass = (options: Prometheus.WriteOptions): Effect.Effect<string> =>
  Effect.map(
    Metric.snapshot,
    (snapshot) => Prometheus.writeAll(Registry.snapshotView(Prometheus.makeCache(), snapshot), options)
  )

/** Effect's runtime metrics: their names' start, and the counter of started fibers as scraped. */
export const runtimeMetrics = { prefix: "child_fiber", started: "child_fibers_started_total" } as const

/** Runs a fiber with runtime metrics on, so that the registry holds runtime series. */
export const forkCounted: Effect.Effect<void> = Effect.forkChild(Effect.void).pipe(
  Effect.flatMap(Fiber.join),
  Effect.provide(Metric.enableRuntimeMetricsLayer)
)

/** The route parameter `name` of the request a route handler answers. */
export const param = (name: string) => Effect.map(HttpRouter.params, (params) => params[name] ?? "")

/** Responses of route handlers. */
export const respond = {
  json: (body: unknown) => HttpServerResponse.jsonUnsafe(body),
  text: (body: string) => HttpServerResponse.text(body),
  status: (status: number) => HttpServerResponse.empty({ status })
}

/** The name of an HTTP server span: the method alone (`GET`; Effect 3's is `http.server GET`). */
export const serverSpanName = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/

/** Adds 1 to the monotonic counter `name` (a family of its own). */
export const countNew = (name: string): Effect.Effect<void> =>
  Metric.update(Metric.counter(name, { incremental: true }), 1)
