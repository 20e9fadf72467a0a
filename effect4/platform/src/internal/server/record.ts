/**
 * The recording of a server request in `aio_request_server_latency`: the
 * status (499 when the caller went away, 408 when so decided), the route
 * label (the template, else `<unmatched>` or `<unknown>`) and the latency
 * from the request's arrival.
 */
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as HttpServerError from "effect/http/HttpServerError"
import type { ServerSeries } from "../httpMetrics.js"
import { unknownRoute, unmatchedRoute } from "./options.js"
import type { RequestState } from "./request.js"

/** Whether the caller went away: the server interrupts the request with the `ClientAbort` annotation. */
const isClientAbort = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) &&
  exit.cause.reasons.some((reason) =>
    Cause.isInterruptReason(reason) && reason.annotations.has(HttpServerError.ClientAbort.key)
  )

const hasRouteNotFound = (cause: Cause.Cause<unknown>): boolean =>
  cause.reasons.some((reason) =>
    Cause.isFailReason(reason) && HttpServerError.isHttpServerError(reason.error) &&
    reason.error.reason._tag === "RouteNotFound"
  )

/** The route label of a request: what `routeTimeout` or the router saw, else the span's `http.route`, else a placeholder. */
const routeOf = (state: RequestState, exit: Exit.Exit<unknown, unknown>): string => {
  if (state.route !== undefined) return state.route
  const spanRoute = state.span?.attributes.get("http.route")
  return typeof spanRoute === "string"
    ? spanRoute
    : Exit.isFailure(exit) && hasRouteNotFound(exit.cause)
    ? unmatchedRoute
    : unknownRoute
}

/**
 * Records the answer `answered` (or 499 when the caller went away, 408 when
 * so decided), synchronously.
 *
 * @internal
 */
export const record = (
  series: ServerSeries,
  fiber: Fiber.Fiber<unknown, unknown>,
  clock: Clock.Clock,
  state: RequestState,
  exit: Exit.Exit<unknown, unknown>,
  answered: number
): void => {
  const status = kernel.recordedStatus(state, answered, isClientAbort(exit), clock.currentTimeMillisUnsafe())
  const seconds = Math.max(0, Number(clock.currentTimeNanosUnsafe() - state.startNanos)) / 1e9
  // what `Metric.update` does, without its two steps: the fiber's metric attributes apply
  series(state.client, state.method, routeOf(state, exit), status).updateUnsafe(seconds, fiber.context)
}
