/**
 * The recording of a server request in `aio_request_server_latency`: the
 * status (499 when the caller went away, 408 when so decided), the route
 * label (the template, else `<unmatched>` or `<unknown>`) and the latency
 * from the request's arrival.
 */
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Predicate from "effect/Predicate"
import type { ServerSeries } from "../httpMetrics.js"
import { unknownRoute, unmatchedRoute } from "./options.js"
import type { RequestState } from "./request.js"

const isClientAbort = (ids: HashSet.HashSet<FiberId.FiberId>): boolean =>
  HashSet.some(ids, (id) => id === HttpServerError.clientAbortFiberId)

const hasRouteNotFound = <E>(cause: Cause.Cause<E>): boolean =>
  Chunk.some(Cause.failures(cause), Predicate.isTagged("RouteNotFound"))

/** The route label of a request: what `routeTimeout` saw, else the span's `http.route`, else a placeholder. */
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
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  clock: Clock.Clock,
  state: RequestState,
  exit: Exit.Exit<unknown, unknown>,
  answered: number
): void => {
  const interrupted = fiber.getFiberRef(FiberRef.interruptedCause)
  const aborted = !Cause.isEmptyType(interrupted) && isClientAbort(Cause.interruptors(interrupted))
  const status = kernel.recordedStatus(state, answered, aborted, clock.unsafeCurrentTimeMillis())
  const seconds = Math.max(0, Number(clock.unsafeCurrentTimeNanos() - state.startNanos)) / 1e9
  // what `Metric.update` does, without its two steps: the fiber's metric labels apply
  series(state.client, state.method, routeOf(state, exit), status).unsafeUpdate(
    seconds,
    fiber.getFiberRef(FiberRef.currentMetricLabels)
  )
}
