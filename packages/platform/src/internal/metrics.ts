/**
 * Every metric of `@aio-request/platform`, defined once: the client and
 * server latency histograms (Python aio-request's), the attempt counters, the
 * client's admitted and shed counters and the server's shed counter.
 * `HttpMetrics` re-exports them.
 */
import { CircuitBreaker } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/metrics"
import * as Metric from "effect/Metric"
import { type Counter, type Histogram, histogram } from "./line.js"

/** @internal */
export const clientLatency: Histogram = histogram(
  "aio_request_latency",
  kernel.latencyBuckets,
  "Latency of a client request, all attempts included, in seconds"
)

/** @internal */
export const transportLatency: Histogram = histogram(
  "aio_request_transport_latency",
  kernel.latencyBuckets,
  "Latency of one attempt of a client request, in seconds"
)

/** @internal */
export const serverLatency: Histogram = histogram(
  "aio_request_server_latency",
  kernel.latencyBuckets,
  "Latency of a server request, in seconds"
)

/** @internal */
export const attempts: Counter = Metric.counter("aio_request_attempts", {
  description: "Attempts sent by clients",
  incremental: true
})

/** @internal */
export const hedges: Counter = Metric.counter("aio_request_hedges", {
  description: "Hedged attempts sent by clients",
  incremental: true
})

/** @internal */
export const retries: Counter = Metric.counter("aio_request_retries", {
  description: "Retry attempts sent by clients",
  incremental: true
})

/** @internal */
export const pushbacks: Counter = Metric.counter("aio_request_pushbacks", {
  description: "Server pushbacks (Retry-After, X-Retry-After-Ms on a 429 or 503) read by clients, by decision",
  incremental: true
})

/** @internal */
export const serverShed: Counter = Metric.counter("aio_request_server_shed", {
  description: "Server requests shed by the concurrency limit (answered 503 without running the handler)",
  incremental: true
})

/** @internal */
export const clientAdmitted: Counter = Metric.counter("aio_request_client_admitted", {
  description: "Client attempts admitted by the client's concurrency limit",
  incremental: true
})

/** @internal */
export const clientShed: Counter = Metric.counter("aio_request_client_shed", {
  description: "Client attempts refused by the client's concurrency limit (not sent)",
  incremental: true
})

/**
 * Counted by the breaker itself, in `@aio-request/core`.
 *
 * @internal
 */
export const circuitBreakerTransitions: Counter = CircuitBreaker.transitions
