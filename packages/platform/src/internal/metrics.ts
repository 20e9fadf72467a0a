/**
 * Every metric of `@aio-request/platform`, defined once: the client and
 * server latency histograms (Python aio-request's), the attempt counters, the
 * client's admitted and shed counters and the server's shed counter.
 * `HttpMetrics` re-exports them.
 */
import { CircuitBreaker } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/metrics"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/** @internal */
export const boundaries = MetricBoundaries.fromIterable(kernel.latencyBuckets)

/** @internal */
export const clientLatency: Metric.Metric.Histogram<number> = Metric.histogram(
  "aio_request_latency",
  boundaries,
  "Latency of a client request, all attempts included, in seconds"
)

/** @internal */
export const transportLatency: Metric.Metric.Histogram<number> = Metric.histogram(
  "aio_request_transport_latency",
  boundaries,
  "Latency of one attempt of a client request, in seconds"
)

/** @internal */
export const serverLatency: Metric.Metric.Histogram<number> = Metric.histogram(
  "aio_request_server_latency",
  boundaries,
  "Latency of a server request, in seconds"
)

/** @internal */
export const attempts: Metric.Metric.Counter<number> = Metric.counter("aio_request_attempts", {
  description: "Attempts sent by clients",
  incremental: true
})

/** @internal */
export const hedges: Metric.Metric.Counter<number> = Metric.counter("aio_request_hedges", {
  description: "Hedged attempts sent by clients",
  incremental: true
})

/** @internal */
export const retries: Metric.Metric.Counter<number> = Metric.counter("aio_request_retries", {
  description: "Retry attempts sent by clients",
  incremental: true
})

/** @internal */
export const pushbacks: Metric.Metric.Counter<number> = Metric.counter("aio_request_pushbacks", {
  description: "Server pushbacks (Retry-After, X-Retry-After-Ms on a 429 or 503) read by clients, by decision",
  incremental: true
})

/** @internal */
export const serverShed: Metric.Metric.Counter<number> = Metric.counter("aio_request_server_shed", {
  description: "Server requests shed by the concurrency limit (answered 503 without running the handler)",
  incremental: true
})

/** @internal */
export const clientAdmitted: Metric.Metric.Counter<number> = Metric.counter("aio_request_client_admitted", {
  description: "Client attempts admitted by the client's concurrency limit",
  incremental: true
})

/** @internal */
export const clientShed: Metric.Metric.Counter<number> = Metric.counter("aio_request_client_shed", {
  description: "Client attempts refused by the client's concurrency limit (not sent)",
  incremental: true
})

/**
 * Counted by the breaker itself, in `@aio-request/core`.
 *
 * @internal
 */
export const circuitBreakerTransitions: Metric.Metric.Counter<number> = CircuitBreaker.transitions
