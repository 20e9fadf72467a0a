/**
 * A resilient `HttpClient` (Python aio-request's `setup`): it wraps whatever `HttpClient` is
 * in context (undici, node:http, fetch) and sends each request under a
 * deadline, with a priority, through a `Strategy` (single, sequential retries
 * or hedging), a circuit breaker and a retry budget, with the system headers
 * that let the next service inherit the deadline and the priority. The result
 * is an ordinary `HttpClient`: `HttpClient.filterStatusOk`, `mapRequest` and
 * the rest compose with it.
 *
 * @example
 * import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
 * import { Deadline } from "@aio-request/core"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* ResilientHttpClient.make({ endpoint: "http://users:8080/api/" })
 *   const response = yield* client.execute(HttpRequest.get("users/{id}", { path: { id: 42 } }))
 *   return yield* response.json
 * }).pipe(Deadline.within("2 seconds"), Effect.provide(NodeHttpClient.layerUndici))
 * @since 0.1.0
 */
import type { CircuitBreaker, ConcurrencyLimit, Deadline, Priority, RetryBudget, Strategy } from "@aio-request/core"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as errors from "./internal/client/errors.js"
import type { DurationInput, HttpClient, HttpClientError, HttpClientRequest } from "./internal/line.js"
import * as internal from "./internal/resilientHttpClient.js"
import type * as ResponseClassifier from "./ResponseClassifier.js"

/**
 * Redirects were followed `maxRedirects` times and the upstream still
 * redirects. `locations` holds every `Location` seen, resolved to absolute
 * URLs, in order; `method` and `url` are those of the request first sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const TooManyRedirectsError: typeof errors.TooManyRedirectsError = errors.TooManyRedirectsError

/**
 * @since 0.1.0
 * @category errors
 */
export type TooManyRedirectsError = errors.TooManyRedirectsError

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
export const InvalidRedirectError: typeof errors.InvalidRedirectError = errors.InvalidRedirectError

/**
 * @since 0.2.0
 * @category errors
 */
export type InvalidRedirectError = errors.InvalidRedirectError

/**
 * The endpoint of a request could not be had: `endpointProvider` failed
 * (`reason: "ProviderFailed"`, its error in `cause`) or gave a URL that is not
 * an absolute http(s) URL (`reason: "Invalid"`). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const EndpointError: typeof errors.EndpointError = errors.EndpointError

/**
 * @since 0.1.0
 * @category errors
 */
export type EndpointError = errors.EndpointError

/**
 * The `enrich` option failed (its error in `cause`). That attempt was not
 * sent, and no other attempt is made.
 *
 * @since 0.1.0
 * @category errors
 */
export const EnrichError: typeof errors.EnrichError = errors.EnrichError

/**
 * @since 0.1.0
 * @category errors
 */
export type EnrichError = errors.EnrichError

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
  | ConcurrencyLimit.LoadShedError

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace ResilientHttpClient {
  /**
   * Options shared by both ways of giving the endpoint.
   *
   * @since 0.1.0
   */
  export interface CommonOptions {
    /** Default `Strategy.defaultStrategy` (GET, HEAD, OPTIONS: 3 sequential attempts; others: single). */
    readonly strategy?: Strategy.Strategy | undefined
    /** Default `ResponseClassifier.defaultClassifier()`. */
    readonly classifier?: ResponseClassifier.ResponseClassifier | undefined
    /** The deadline of a request when none is inherited (`CurrentDeadline`). Default 20 seconds. */
    readonly timeout?: DurationInput | undefined
    /**
     * An explicit priority, normalised against the inherited `CurrentPriority`
     * (`Priority.normalize`). Default: none, and a call sends the inherited
     * `CurrentPriority`, else `"normal"` (docs/propagation.md).
     */
    readonly priority?: Priority.Priority | undefined
    /** An attempt with less time left than this is not sent. Default 5 millis. */
    readonly lowTimeoutThreshold?: DurationInput | undefined
    /** Send `X-Request-Timeout` and `X-Request-Priority`. Default true. */
    readonly emitSystemHeaders?: boolean | undefined
    /** Sent as `X-Service-Name`. Default none. */
    readonly serviceName?: string | undefined
    /** Runs on each attempt's request after the system headers, before sending (auth, signing...). */
    readonly enrich?:
      | ((request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, unknown>)
      | undefined
    /** A circuit breaker; the scope is the endpoint. Default none. */
    readonly circuitBreaker?: CircuitBreaker.CircuitBreaker.Service | undefined
    /** The retry budget of this client. Default: the one in context (`RetryBudget`, unlimited unless provided). */
    readonly retryBudget?: RetryBudget.RetryBudget.Service | undefined
    /**
     * A concurrency limit for this client's endpoint: the service
     * `ConcurrencyLimit.make` gives (fixed, AIMD or gradient2, shares by
     * priority), the same the server middleware takes. Every attempt,
     * retries and hedges included, is admitted under the priority the call
     * sends and holds a slot until its answer (or error) arrives. A call whose
     * first attempt is refused fails at once with `LoadShedError`, nothing
     * sent; a retry or hedge the limit would refuse is not sent, and the call
     * goes on with the attempts it has. A 503 answer, or an attempt that ran
     * out of time, is a drop (an AIMD or gradient2 limit comes down). With an
     * `endpointProvider`, the endpoints it gives share the one limit; clients
     * given the same service share it too. Default none (no cost).
     *
     * @example
     * import { ConcurrencyLimit } from "@aio-request/core"
     * import { ResilientHttpClient } from "@aio-request/platform"
     * import { Effect } from "effect"
     *
     * const makeClient = Effect.gen(function*() {
     *   const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.aimd({ initial: 10, max: 100 }) })
     *   return yield* ResilientHttpClient.make({ endpoint: "http://inventory:8080/", concurrencyLimit: limit })
     * })
     */
    readonly concurrencyLimit?: ConcurrencyLimit.ConcurrencyLimit.Service | undefined
    /** TCP connect failures retried inside one attempt (a reset after connect is not). Integer ≥ 1. Default 3. */
    readonly connectionAttempts?: number | undefined
    /** Integer ≥ 0. Default 10. */
    readonly maxRedirects?: number | undefined
    /** Default true; false returns 3xx responses as they are. */
    readonly followRedirects?: boolean | undefined
    /**
     * The headers that never leave the request's origin: a redirect to
     * another origin (scheme, host or port) drops them. Lower-case or not,
     * or a `RegExp` tested on the lower-case name. The names in
     * Effect's redacted header names (`Headers.currentRedactedNames` on
     * Effect 3, `Headers.CurrentRedactedNames` on Effect 4; by default
     * `authorization`, `cookie`, `set-cookie`, `x-api-key`) are always
     * dropped as well, so a header marked sensitive there stays home. Default
     * `["authorization", "proxy-authorization", "cookie"]`.
     */
    readonly originBoundHeaders?: ReadonlyArray<string | RegExp> | undefined
    /**
     * What `json` on a returned response reads. By default only a JSON
     * content type, `application/json` or `application/*+json` (any
     * parameters, any case); anything else, a missing content type included,
     * fails with the platform's decode error (`ResponseError`, reason
     * `"Decode"`, on Effect 3; `HttpClientError`, reason `DecodeError`, on
     * Effect 4) naming the content type,
     * the body unread. An array adds media types (`["text/plain"]`), `"any"`
     * reads whatever comes.
     */
    readonly jsonContentTypes?: ReadonlyArray<string> | "any" | undefined
    /**
     * Obey a server's pushback, as gRPC's retry design does. After a rejected
     * 429 or 503 carrying `X-Retry-After-Ms` (milliseconds; negative or
     * malformed means stop) or `Retry-After` (delta-seconds or HTTP-date;
     * garbage is ignored), no attempt (retry or hedge) is sent before the
     * wait has passed; after a stop, or a wait that reaches the deadline or
     * exceeds `maxWait`, none is sent: the call answers at once with that
     * response (hedges already in flight may still win). `false` turns it
     * off. Default on, `maxWait` 1 minute.
     */
    readonly pushback?: boolean | { readonly maxWait?: DurationInput | undefined } | undefined
    /**
     * How many distinct `request_path` values this client's metrics record
     * (latency, transport latency, attempts, hedges, retries, pushbacks); the
     * paths first seen after that are recorded as `HttpMetrics.overflowLabel`
     * (`"<other>"`), so a caller passing literal paths instead of templates
     * cannot grow the metric registry without bound. The paths seen before
     * keep their own series. An integer of at least 1. Default 1000.
     *
     * @example
     * import { ResilientHttpClient } from "@aio-request/platform"
     *
     * const makeClient = ResilientHttpClient.make({ endpoint: "http://inventory:8080/", maxPaths: 200 })
     */
    readonly maxPaths?: number | undefined
  }

  /**
   * Exactly one of `endpoint` (an absolute http(s) URL) or `endpointProvider`
   * (evaluated once per request, e.g. for service discovery).
   *
   * @since 0.1.0
   */
  export type Options =
    | CommonOptions & { readonly endpoint: string | URL; readonly endpointProvider?: undefined }
    | CommonOptions & {
      readonly endpointProvider: Effect.Effect<string | URL, unknown>
      readonly endpoint?: undefined
    }
}

/**
 * Builds a resilient client over the `HttpClient` in context. Per request:
 * the deadline is `CurrentDeadline` if set, else now + `timeout`; the priority
 * is the inherited `CurrentPriority` (else `"normal"`), or
 * `Priority.normalize(priority, CurrentPriority)` with a `priority` option; the strategy is
 * `CurrentStrategy` if set, else `strategy`. Each attempt, in order: if less
 * than `lowTimeoutThreshold` is left, `DeadlineExceededError` (nothing sent, no
 * other attempt); the circuit breaker (scope = endpoint); the system headers;
 * `enrich`; then the request is sent, its URL resolved against the endpoint,
 * under the attempt's deadline, with TCP connect failures retried up to
 * `connectionAttempts` times and redirects followed up to `maxRedirects`.
 *
 * Any response is returned as a response (a final 503 too); errors are
 * `ResilientHttpClient.Error`. Responses of attempts that did not win are
 * released. The request's deadline also covers reading the returned
 * response's body (`text`, `json`, `arrayBuffer`, `stream`...): a body still
 * streaming at the deadline fails with `DeadlineExceededError` (`phase:
 * "body"`) and its connection is closed. Its `json` reads only a JSON
 * content type (`application/json`, `application/*+json`; see
 * `jsonContentTypes`): anything else fails with the platform's decode error
 * (`ResponseError`, reason `"Decode"`, on Effect 3; `HttpClientError`, reason
 * `DecodeError`, on Effect 4) naming the content type. A redirect to another origin drops
 * the `originBoundHeaders` and Effect's redacted header names. Header values
 * are checked before anything is sent: a bad one (CR, LF, other control characters, characters
 * outside Latin-1) fails the request with the platform's encode error
 * (`RequestError`, reason `Encode`, on Effect 3; `HttpClientError`, reason
 * `EncodeError`, on Effect 4),
 * naming the header. Invalid options (every one is checked, for JavaScript
 * callers too) are rejected at once with an `IllegalArgumentException` naming
 * the option.
 *
 * @example
 * import { CircuitBreaker, Strategy } from "@aio-request/core"
 * import { ResilientHttpClient } from "@aio-request/platform"
 * import { Effect } from "effect"
 *
 * const makeClient = Effect.gen(function*() {
 *   const breaker = yield* CircuitBreaker.make({
 *     breakDuration: "5 seconds", samplingDuration: "10 seconds", minimumThroughput: 20, failureThreshold: 0.5
 *   })
 *   return yield* ResilientHttpClient.make({
 *     endpoint: "http://inventory:8080/",
 *     strategy: Strategy.parallel({ attempts: 2 }),
 *     circuitBreaker: breaker,
 *     serviceName: "checkout"
 *   })
 * })
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: ResilientHttpClient.Options
) => Effect.Effect<HttpClient.HttpClient.With<Error>, never, HttpClient.HttpClient> = internal.make

/**
 * Provides a resilient client as `HttpClient.HttpClient`, over the one
 * provided to the layer. For several upstreams in one program, give each its
 * own tag or `Effect.Service` (see docs/client.md).
 *
 * @example
 * import { ResilientHttpClient } from "@aio-request/platform"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Layer } from "effect"
 *
 * const ClientLive = ResilientHttpClient.layer({ endpoint: "http://users:8080/" }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * @since 0.1.0
 * @category layers
 */
export const layer: (
  options: ResilientHttpClient.Options
) => Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> = internal.layer

/**
 * `ResilientHttpClient.Options`, also reachable as `ResilientHttpClient.ResilientHttpClient.Options` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type Options = ResilientHttpClient.Options

/**
 * `ResilientHttpClient.CommonOptions`, also reachable as `ResilientHttpClient.ResilientHttpClient.CommonOptions` (the namespace Effect's own modules use).
 *
 * @since 0.3.0
 * @category models
 */
export type CommonOptions = ResilientHttpClient.CommonOptions
