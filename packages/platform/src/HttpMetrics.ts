/**
 * The client and server metrics (Python aio-request's histograms), as plain Effect `Metric`
 * values. They live in Effect's metric registry; `@aio-request/opentelemetry`
 * exports them. Latencies are in seconds.
 *
 * @since 0.1.0
 */
import * as kernel from "@aio-request/kernel/http/metrics"
import * as status from "@aio-request/kernel/http/status"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/httpMetrics.js"
import type { Counter, Histogram } from "./internal/line.js"
import * as metrics from "./internal/metrics.js"

/**
 * Python aio-request's latency buckets, in seconds.
 *
 * @since 0.1.0
 * @category boundaries
 */
export const latencyBuckets: ReadonlyArray<number> = kernel.latencyBuckets

/**
 * Per logical client request. Labels: `request_endpoint`, `request_method`,
 * `request_path`, `response_status`, `circuit_breaker`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const clientLatency: Histogram = metrics.clientLatency

/**
 * Per attempt. Labels: `request_endpoint`, `request_method`, `request_path`,
 * `response_status`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const transportLatency: Histogram = metrics.transportLatency

/**
 * Per server request. Labels: `request_client`, `request_method`,
 * `request_path` (the route template), `response_status`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const serverLatency: Histogram = metrics.serverLatency

/**
 * Every attempt sent. Labels: `request_endpoint`, `request_method`, `request_path`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const attempts: Counter = metrics.attempts

/**
 * Attempts sent in parallel with an earlier one still running (hedges).
 *
 * @since 0.1.0
 * @category metrics
 */
export const hedges: Counter = metrics.hedges

/**
 * Attempts sent after an earlier one finished without being accepted (retries).
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries: Counter = metrics.retries

/**
 * Circuit state changes, counted by the breaker itself: this is
 * `CircuitBreaker.transitions` from `@aio-request/core` (labels `scope`, `from`, `to`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const circuitBreakerTransitions: Counter = metrics.circuitBreakerTransitions

/**
 * The `response_status` label of outcomes without a response, as in Python aio-request.
 *
 * - `deadlineExceeded` 408: the deadline passed;
 * - `tooManyRedirects` 488: more redirects than allowed;
 * - `networkError` 489: a transport failure (connection refused, reset, ...);
 * - `interrupted` 499: interrupted, e.g. the caller went away;
 * - `circuitOpen` 502: refused by an open circuit (with `circuit_breaker="true"`).
 *
 * @example
 * HttpMetrics.recordClientRequest(
 *   { endpoint: "http://users:8080/", method: "GET", path: "users/{id}", status: HttpMetrics.OutcomeStatus.circuitOpen, circuitBreaker: true },
 *   0
 * )
 * @since 0.1.0
 * @category status conventions
 */
export const OutcomeStatus: {
  readonly deadlineExceeded: 408
  readonly tooManyRedirects: 488
  readonly networkError: 489
  readonly interrupted: 499
  readonly circuitOpen: 502
} = status.OutcomeStatus

/**
 * The value a bounded label takes once its bound is reached: a recorder
 * records at most `maxClients` distinct `request_client` values, and every
 * caller named after that as `"<other>"`.
 *
 * @example
 * import { HttpMetrics } from "@aio-request/platform"
 *
 * const recorder = HttpMetrics.makeRecorder({ maxClients: 2 })
 * // a third distinct client is recorded with request_client="<other>"
 * console.log(HttpMetrics.overflowLabel) // "<other>"
 * @since 0.1.0
 * @category status conventions
 */
export const overflowLabel: string = kernel.overflowLabel

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientLabels {
  readonly endpoint: string
  readonly method: string
  /** The path template, never the substituted path. */
  readonly path: string
}

/**
 * The client metrics of one route (endpoint, method, path template), labelled
 * once: a client resolves a route's handles once and keeps them, so that
 * recording costs an update and no metric key. The latency handles are made
 * on first use of each status and kept (statuses are few).
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientRoute {
  readonly labels: ClientLabels
  /** `aio_request_latency` for one status and circuit flag. */
  readonly latency: (status: number, circuitBreaker: boolean) => Histogram
  /** `aio_request_transport_latency` for one status. */
  readonly transportLatency: (status: number) => Histogram
  readonly attempts: Counter
  readonly hedges: Counter
  readonly retries: Counter
}

/**
 * Labels the client metrics of one route.
 *
 * @example
 * import { HttpMetrics } from "@aio-request/platform"
 * import { Effect, Metric } from "effect"
 *
 * const route = HttpMetrics.clientRoute({ endpoint: "http://users:8080/", method: "GET", path: "users/{id}" })
 * const record = Metric.update(route.latency(200, false), 0.012).pipe(Effect.andThen(Metric.update(route.attempts, 1)))
 * @since 0.2.0
 * @category constructors
 */
export const clientRoute: (labels: ClientLabels) => ClientRoute = internal.clientRoute

/**
 * Records one logical client request.
 *
 * @example
 * HttpMetrics.recordClientRequest(
 *   { endpoint: "http://users:8080/", method: "GET", path: "users/{id}", status: 200, circuitBreaker: false },
 *   0.042
 * )
 * @since 0.1.0
 * @category recording
 */
export const recordClientRequest: (
  labels: ClientLabels & { readonly status: number; readonly circuitBreaker: boolean },
  seconds: number
) => Effect.Effect<void> = internal.recordClientRequest

/**
 * Records one attempt, and counts it as an attempt, a hedge or a retry.
 *
 * @example
 * HttpMetrics.recordAttempt(
 *   { endpoint: "http://users:8080/", method: "GET", path: "users/{id}", status: 503, kind: "retry" },
 *   0.01
 * )
 * @since 0.1.0
 * @category recording
 */
export const recordAttempt: (
  labels: ClientLabels & { readonly status: number; readonly kind: "first" | "hedge" | "retry" },
  seconds: number
) => Effect.Effect<void> = internal.recordAttempt

/**
 * Records one server request.
 *
 * @example
 * HttpMetrics.recordServerRequest({ client: "web", method: "GET", path: "/users/:id", status: 200 }, 0.012)
 * @since 0.1.0
 * @category recording
 */
export const recordServerRequest: (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  seconds: number
) => Effect.Effect<void> = internal.recordServerRequest

/**
 * The recording functions of this module, with the labelled metrics they
 * build kept for reuse: labelling a metric builds and hashes a metric key, which
 * costs far more than the update itself. Each client and server middleware
 * makes its own; a recorder keeps at most `maxSeries` labelled metrics per
 * function and starts afresh when it has that many.
 *
 * Labels whose values a caller controls are bounded here: `recordServerRequest`
 * records at most `maxClients` distinct `request_client` values (default
 * 100), then {@link overflowLabel}. (Paths are route templates, bounded by the
 * application; the plain `record*` functions record labels as given.)
 *
 * @since 0.1.0
 * @category models
 */
export interface Recorder {
  readonly recordClientRequest: typeof recordClientRequest
  readonly recordAttempt: typeof recordAttempt
  readonly recordServerRequest: typeof recordServerRequest
}

/**
 * Makes a `Recorder`.
 *
 * @example
 * const recorder = HttpMetrics.makeRecorder()
 * yield* recorder.recordServerRequest({ client: "web", method: "GET", path: "/users/:id", status: 200 }, 0.012)
 * @since 0.1.0
 * @category constructors
 */
export const makeRecorder: (
  options?: { readonly maxSeries?: number | undefined; readonly maxClients?: number | undefined }
) => Recorder = internal.makeRecorder

/**
 * Server pushbacks a client read (`Retry-After` or `X-Retry-After-Ms` on a
 * rejected 429 or 503; option `pushback` of `ResilientHttpClient`). Labels:
 * `request_endpoint`, `request_method`, `request_path`, and
 * `pushback_decision`: `wait` (no attempt before it passed), `stop` (no
 * more attempts: the server said so, or the wait was over `maxWait`) or
 * `deadline` (the wait reached the deadline: no more attempts). In
 * Prometheus: `aio_request_pushbacks_total`.
 *
 * @example
 * import { HttpMetrics } from "@aio-request/platform"
 *
 * const counter = HttpMetrics.pushbacks
 * @since 0.3.0
 * @category metrics
 */
export const pushbacks: Counter = metrics.pushbacks

/**
 * Server requests shed by `ServerMiddleware.make({ concurrencyLimit })`
 * (answered 503 without running the handler). Label: `request_priority`.
 * In Prometheus: `aio_request_server_shed_total`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const serverShed: Counter = metrics.serverShed

/**
 * Client attempts admitted by `ResilientHttpClient.make({ concurrencyLimit })`
 * (each attempt, hedges and retries included, is admitted on its own).
 * Labels: `request_endpoint`, `request_priority` (the priority the call
 * sends). In Prometheus: `aio_request_client_admitted_total`.
 *
 * @since 0.3.0
 * @category metrics
 */
export const clientAdmitted: Counter = metrics.clientAdmitted

/**
 * Client attempts refused by `ResilientHttpClient.make({ concurrencyLimit })`
 * and not sent: a first attempt refused (the call fails with
 * `LoadShedError`), and retries and hedges the limit would not admit.
 * Labels: `request_endpoint`, `request_priority`. In Prometheus:
 * `aio_request_client_shed_total`.
 *
 * @since 0.3.0
 * @category metrics
 */
export const clientShed: Counter = metrics.clientShed
