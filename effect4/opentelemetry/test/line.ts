/**
 * The Effect 4 kit of the shared observability tests (packages/opentelemetry/test/shared):
 * what they need from `effect`, `@effect/vitest` and the line, under names that mean the
 * same on both lines. packages/opentelemetry/test/line.ts is its Effect 3 twin.
 */
import { latencyBuckets } from "@aio-request/kernel/http/metrics"
import { assert } from "@effect/vitest"
import { Cause, Effect, Metric } from "effect"

export { Observability } from "@aio-request/opentelemetry"
export { assert, describe, it } from "@effect/vitest"
export { Effect, Layer } from "effect"

/** Which line runs the test. */
export const line = 4 as 3 | 4

/** The message of the `IllegalArgumentError` that `f` throws (fails the test if it throws nothing else). */
export const refused = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, Cause.IllegalArgumentError)
    return (e as Error).message
  }
  return assert.fail("expected an IllegalArgumentError")
}

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
