/**
 * The server side of deadline and priority propagation (Python aio-request's
 * aiohttp middleware): an `HttpMiddleware` that reads `X-Request-Timeout` and
 * `X-Request-Priority`, answers 408 when there is no time left, runs the
 * handler with `Deadline.CurrentDeadline` and `Priority.CurrentPriority` set
 * (so every outgoing resilient call inherits them), and records
 * `aio_request_server_latency` labelled with the route template.
 *
 * @since 0.1.0
 */
import type * as ConcurrencyLimit from "@aio-request/core/ConcurrencyLimit"
import type * as Priority from "@aio-request/core/Priority"
import type * as Effect from "effect/Effect"
import type { App, DurationInput, HttpServerRequest } from "./internal/line.js"
import * as middleware from "./internal/server/middleware.js"
import * as options from "./internal/server/options.js"
import * as route from "./internal/server/routeTimeout.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The deadline when the request sends no `X-Request-Timeout` and the route has no `routeTimeout`. Default `"20 seconds"`. */
  readonly timeout?: DurationInput | undefined
  /** The priority when the request sends no valid `X-Request-Priority`. Default `"normal"`. */
  readonly priority?: Priority.Priority | undefined
  /** Less time left than this, and the answer is 408 without running the handler. Default `"5 millis"`. */
  readonly lowTimeoutThreshold?: DurationInput | undefined
  /** Interrupt the handler at the deadline and answer 408. Default `false`. */
  readonly cancelOnTimeout?: boolean | undefined
  /** Cap for a deadline read from `X-Request-Timeout`. Default `"5 minutes"`. */
  readonly maxTimeout?: DurationInput | undefined
  /** The header naming the calling service (metric label `request_client`). Default `"X-Service-Name"`. */
  readonly clientHeader?: string | undefined
  /**
   * How many distinct `request_client` values this middleware records; the
   * callers named after that are recorded as `HttpMetrics.overflowLabel`
   * (`"<other>"`), so a caller cannot grow the metric registry without bound.
   * Default 100.
   */
  readonly maxClients?: number | undefined
  /**
   * Admission control (see `docs/load-shedding.md`): each request is admitted
   * under its priority (the header's, else `priority`); a shed request is
   * answered 503 with `Retry-After` without running the handler and counted
   * in `HttpMetrics.serverShed`. Default: none (every request runs).
   */
  readonly concurrencyLimit?: ConcurrencyLimit.ConcurrencyLimit.Service | undefined
  /**
   * The wait a shed request's 503 asks for: `Retry-After` rounded up to whole
   * seconds (at least 1) and `X-Retry-After-Ms` in milliseconds. Default `"1 second"`.
   */
  readonly shedRetryAfter?: DurationInput | undefined
  /**
   * Whose `X-Request-Priority` and `X-Request-Timeout` to believe as sent (see
   * docs/server.md, "Trust"). An untrusted caller's priority is capped by
   * `untrustedMaxPriority` and its deadline by `untrustedMaxTimeout`; a lower
   * priority or a shorter deadline is believed from anyone. Called only for a
   * request that claims more than the untrusted caps; a predicate that throws
   * means untrusted. Default `trustPrivateNetworks`: callers on loopback or a
   * private network. `() => true` believes everyone (the behaviour before
   * this option).
   */
  readonly trust?: ((request: HttpServerRequest.HttpServerRequest) => boolean) | undefined
  /** The highest priority believed from an untrusted caller. Default `"normal"`. */
  readonly untrustedMaxPriority?: Priority.Priority | undefined
  /**
   * Cap for a deadline read from an untrusted caller's `X-Request-Timeout`, at
   * most `maxTimeout`. Default: `timeout` (no more time than a caller that
   * sends no header gets), or `maxTimeout` if smaller.
   */
  readonly untrustedMaxTimeout?: DurationInput | undefined
}

/**
 * A handler `routeTimeout` accepts: an effect (an `HttpRouter` route) or a
 * function returning one (an `HttpApiBuilder` handler). Its type is kept.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = Effect.Effect<any, any, any> | ((...args: ReadonlyArray<any>) => Effect.Effect<any, any, any>)

/**
 * The server middleware. Per request, the deadline comes from, first that
 * applies: the `X-Request-Timeout` header (seconds, decimal; capped by
 * `maxTimeout`, or by `untrustedMaxTimeout` for a caller `trust` does not
 * trust; a malformed value is ignored) → the route's own timeout
 * (`routeTimeout`) → `timeout`. A deadline already passed, or with less than
 * `lowTimeoutThreshold` left, is answered 408 without running the handler.
 * Otherwise the handler runs with `CurrentDeadline` and `CurrentPriority`
 * (the header's priority, at most `untrustedMaxPriority` for an untrusted
 * caller, else `priority`) set; with `cancelOnTimeout` it is interrupted at
 * the deadline and the answer is 408. With a `concurrencyLimit`, a request
 * whose body is still arriving at its deadline is interrupted too (on Node),
 * so a slow sender holds its slot no longer than its capped deadline. A client that
 * disconnects interrupts the handler, and everything it started, and is
 * recorded as 499.
 *
 * The deadline is measured from the request's arrival: on Node, the instant
 * the server emitted the request (see docs/server.md), else the instant the
 * middleware first runs for it.
 *
 * Options are checked here, for JavaScript callers too: an invalid one throws
 * an illegal-argument error naming the option (Effect 3's
 * `IllegalArgumentException`, Effect 4's `IllegalArgumentError`).
 *
 * @example
 * import { ServerMiddleware } from "@aio-request/platform"
 *
 * const middleware = ServerMiddleware.make({ cancelOnTimeout: true })
 * // Effect 3: HttpServer.serve(app, middleware), or HttpApiBuilder.serve(middleware)
 * // Effect 4: HttpRouter.middleware(middleware, { global: true }) beside the routes
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => <E, R>(app: App<E, R>) => App<E, R | HttpServerRequest.HttpServerRequest> = middleware.make

/**
 * Gives a route its own timeout, Python aio-request's `aiohttp_timeout`: when the
 * request sends no `X-Request-Timeout`, the deadline is `timeout` from the
 * request's arrival instead of the middleware's default; a header's deadline
 * still wins. A timeout of zero (or below `lowTimeoutThreshold`) answers 408
 * without running the handler. Under `ServerMiddleware.make`, the route's
 * template is also the metric label. Outside the middleware, it only sets
 * `CurrentDeadline` for the handler (never later than an inherited one).
 *
 * @example
 * import { ServerMiddleware } from "@aio-request/platform"
 * import { Effect } from "effect"
 *
 * const buildReport = Effect.as(Effect.sleep("1 second"), { rows: 3 })
 * // a route's handler: 2 seconds from the arrival, unless the caller's header says otherwise
 * const report = buildReport.pipe(ServerMiddleware.routeTimeout("2 seconds"))
 * // HttpApi: handlers.handle("report", ServerMiddleware.routeTimeout("2 seconds")(() => buildReport))
 * @since 0.1.0
 * @category combinators
 */
export const routeTimeout: {
  (timeout: DurationInput): <H extends Handler>(self: H) => H
  <H extends Handler>(self: H, timeout: DurationInput): H
} = route.routeTimeout

/**
 * The default `trust`: a caller whose remote address is on loopback or a
 * private network (IPv4 127/8, 10/8, 172.16/12, 192.168/16, 169.254/16; IPv6
 * `::1`, fc00::/7, fe80::/10), or whose address the platform does not tell.
 * Behind a proxy every caller has the proxy's address: give a `trust` of your
 * own there (an authenticated header, say).
 *
 * @example
 * import { ServerMiddleware } from "@aio-request/platform"
 *
 * ServerMiddleware.make({
 *   trust: (request) =>
 *     ServerMiddleware.trustPrivateNetworks(request) && request.headers["x-mesh-verified"] === "1",
 *   untrustedMaxTimeout: "5 seconds"
 * })
 * @since 0.1.0
 * @category constants
 */
export const trustPrivateNetworks: (request: HttpServerRequest.HttpServerRequest) => boolean =
  options.trustPrivateNetworks

/**
 * The `request_path` label of requests that matched no route.
 *
 * @since 0.1.0
 * @category constants
 */
export const unmatchedRoute: string = options.unmatchedRoute

/**
 * The `request_path` label when the route template is not known (an app
 * that is not an `HttpRouter`/`HttpApi`, or tracing disabled for the request
 * and no `routeTimeout`). Never the raw path.
 *
 * @since 0.1.0
 * @category constants
 */
export const unknownRoute: string = options.unknownRoute
