/**
 * A resilient `HttpClient` (Python aio-request's `setup`): it wraps whatever `HttpClient` is
 * in context (undici, node:http, fetch) and sends each request under a
 * deadline, with a priority, through a `Strategy` (single, sequential retries
 * or hedging), a circuit breaker and a retry budget, with the system headers
 * that let the next service inherit the deadline and the priority. The result
 * is an ordinary `HttpClient`: `HttpClient.filterStatusOk`, `mapRequest` and
 * the rest compose with it.
 *
 * On this line (Effect 4) the module holds the client's errors and
 * `ResilientHttpClient.Error` only: `make` and `layer` are not ported yet, and
 * the module is not in the package index.
 *
 * @example
 * import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
 * import { Deadline } from "@aio-request/core"
 * import { HttpClient } from "effect/http"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Effect, Layer } from "effect"
 *
 * const Upstream = ResilientHttpClient.layer({ endpoint: "http://users:8080/api/" }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 *
 * const program = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
 *   const response = yield* client.execute(HttpRequest.get("users/{id}", { path: { id: 42 } }))
 *   return yield* response.json
 * }).pipe(Deadline.within("2 seconds"), Effect.provide(Upstream))
 * @since 0.1.0
 */
import type { CircuitBreaker, Deadline } from "@aio-request/core"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as internal from "./internal/client/errors.js"

/**
 * Redirects were followed `maxRedirects` times and the upstream still
 * redirects. `locations` holds every `Location` seen, resolved to absolute
 * URLs, in order; `method` and `url` are those of the request first sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const TooManyRedirectsError: typeof internal.TooManyRedirectsError = internal.TooManyRedirectsError

/**
 * @since 0.1.0
 * @category errors
 */
export type TooManyRedirectsError = internal.TooManyRedirectsError

/**
 * A redirect the client will not follow: its `Location` is not an http(s)
 * URL (`data:`, `file:`, `javascript:`...; `reason: "UnsupportedScheme"`) or
 * not a URL at all (`reason: "InvalidLocation"`). `method` and `url` are those
 * of the request that was redirected, `status` the redirect's. The request
 * ends there: no other attempt is made, and the circuit does not count it.
 *
 * @since 0.2.0
 * @category errors
 */
export const InvalidRedirectError: typeof internal.InvalidRedirectError = internal.InvalidRedirectError

/**
 * @since 0.2.0
 * @category errors
 */
export type InvalidRedirectError = internal.InvalidRedirectError

/**
 * The endpoint of a request could not be had: `endpointProvider` failed
 * (`reason: "ProviderFailed"`, its error in `cause`) or gave a URL that is not
 * an absolute http(s) URL (`reason: "Invalid"`). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const EndpointError: typeof internal.EndpointError = internal.EndpointError

/**
 * @since 0.1.0
 * @category errors
 */
export type EndpointError = internal.EndpointError

/**
 * The `enrich` option failed (its error in `cause`). That attempt was not
 * sent, and no other attempt is made.
 *
 * @since 0.1.0
 * @category errors
 */
export const EnrichError: typeof internal.EnrichError = internal.EnrichError

/**
 * @since 0.1.0
 * @category errors
 */
export type EnrichError = internal.EnrichError

/**
 * Everything a resilient client can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type Error =
  | HttpClientError.HttpClientError
  | Deadline.DeadlineExceededError
  | CircuitBreaker.CircuitBreakerOpenError
  | TooManyRedirectsError
  | InvalidRedirectError
  | EndpointError
  | EnrichError
