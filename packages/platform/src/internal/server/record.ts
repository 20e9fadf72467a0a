/**
 * The recording of a server request in `aio_request_server_latency`: the
 * status (499 when the caller went away, 408 when so decided), the route
 * label (the template, else `<unmatched>` or `<unknown>`) and the latency
 * from the request's arrival.
 */
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import type * as Clock from "effect/Clock"
import * as Exit from "effect/Exit"
import type { ServerSeries } from "../httpMetrics.js"
import {
  clientAborted,
  currentTimeMillis,
  currentTimeNanos,
  isRouteNotFound,
  type RuntimeFiber,
  updateMetricUnsafe
} from "../line.js"
import { unknownRoute, unmatchedRoute } from "./options.js"
import type { RequestState } from "./request.js"

/** The route label of a request: what `routeTimeout` or the router saw, else the span's `http.route`, else a placeholder. */
const routeOf = (state: RequestState, exit: Exit.Exit<unknown, unknown>): string => {
  if (state.route !== undefined) return state.route
  const spanRoute = state.span?.attributes.get("http.route")
  return typeof spanRoute === "string"
    ? spanRoute
    : Exit.isFailure(exit) && isRouteNotFound(exit.cause)
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
  fiber: RuntimeFiber<unknown, unknown>,
  clock: Clock.Clock,
  state: RequestState,
  exit: Exit.Exit<unknown, unknown>,
  answered: number
): void => {
  const status = kernel.recordedStatus(state, answered, clientAborted(fiber, exit), currentTimeMillis(clock))
  const seconds = Math.max(0, Number(currentTimeNanos(clock) - state.startNanos)) / 1e9
  // what `Metric.update` does, without its steps: the fiber's metric labels apply
  updateMetricUnsafe(series(state.client, state.method, routeOf(state, exit), status), seconds, fiber)
}
