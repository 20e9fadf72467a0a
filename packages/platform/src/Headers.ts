/**
 * The system headers that carry a request's deadline, priority and caller from
 * service to service, and the hints a server gives back to its clients. Names
 * are lower-case, as Effect (`@effect/platform`, `effect/http`) stores header names.
 *
 * @since 0.1.0
 */
import * as kernel from "@aio-request/kernel/http/headers"

/**
 * The time left for the request, in seconds (decimal), e.g. `"4.995"`. Sent by
 * `ResilientHttpClient` with each attempt's remaining deadline; read by
 * `ServerMiddleware` to set the handler's deadline.
 *
 * @since 0.1.0
 * @category headers
 */
export const RequestTimeout: "x-request-timeout" = kernel.RequestTimeout

/**
 * The priority of the request: `high`, `normal` or `low`.
 *
 * @since 0.1.0
 * @category headers
 */
export const RequestPriority: "x-request-priority" = kernel.RequestPriority

/**
 * The name of the calling service (`serviceName` of the client).
 *
 * @since 0.1.0
 * @category headers
 */
export const ServiceName: "x-service-name" = kernel.ServiceName

/**
 * A server answers with this header (any value) to say that the response,
 * whatever its status, must not be retried: `ResponseClassifier.default`
 * accepts it.
 *
 * @since 0.1.0
 * @category headers
 */
export const DoNotRetry: "x-do-not-retry" = kernel.DoNotRetry

/**
 * Marks a response or a metric produced by a circuit breaker rather than by
 * the upstream.
 *
 * @since 0.1.0
 * @category headers
 */
export const CircuitBreaker: "x-circuit-breaker" = kernel.CircuitBreaker

/**
 * A server's pushback on a 429 or 503: the milliseconds to wait before the
 * next attempt (a negative or malformed value: send none). Read by
 * `ResilientHttpClient` (option `pushback`), sent with `Retry-After` by
 * `ServerMiddleware` on a shed request. Beside `Retry-After`, it decides.
 *
 * @example
 * import { Headers } from "@aio-request/platform"
 *
 * const header = { [Headers.RetryAfterMs]: "250" }
 * @since 0.3.0
 * @category headers
 */
export const RetryAfterMs: "x-retry-after-ms" = kernel.RetryAfterMs

/**
 * The canonical spelling of each system header, for logs and documentation.
 *
 * @since 0.1.0
 * @category headers
 */
export const canonical: {
  readonly [RequestTimeout]: "X-Request-Timeout"
  readonly [RequestPriority]: "X-Request-Priority"
  readonly [ServiceName]: "X-Service-Name"
  readonly [DoNotRetry]: "X-Do-Not-Retry"
  readonly [CircuitBreaker]: "X-Circuit-Breaker"
  readonly [RetryAfterMs]: "X-Retry-After-Ms"
} = kernel.canonical
