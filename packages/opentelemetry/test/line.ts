/**
 * The Effect 3 kit of the shared observability tests (test/shared): what they need from
 * `effect`, `@effect/vitest` and the line, under names that mean the same on both lines.
 * effect4/opentelemetry/test/line.ts is its Effect 4 twin. A shared test imports `effect`
 * only through a kit.
 */
import { latencyBuckets } from "@aio-request/kernel/http/metrics"
import { Effect, Metric, MetricBoundaries } from "effect"
import { refused as illegal } from "../../core/test/support/refused.js"

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
