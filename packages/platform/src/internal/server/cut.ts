/**
 * The cut at the deadline, with `cancelOnTimeout`: the request's fiber is
 * interrupted when its deadline passes, and an interruption by the deadline
 * ends as a 408.
 */
import { Deadline } from "@aio-request/core"
import * as Exit from "effect/Exit"
import { type HttpServerResponse, interruptUnsafe, isInterruptedOnly, type RuntimeFiber } from "../line.js"
import { claimTimeout, type RequestState, requestTimeoutResponse } from "./request.js"

/**
 * With `cancelOnTimeout` (or, with `when`, if `when()` holds then: the slow-body
 * rule of a limited server): interrupts the request's fiber when the deadline
 * passes, unless a `routeTimeout` took the deadline over by then. No fork: the
 * app runs in the request's own fiber, and the deadline is an entry in the
 * clock's shared timer (`Deadline.unsafeOnExpiry`). The platform runs a
 * request uninterruptibly except its route handler (unless the route is marked
 * uninterruptible), so the interruption lands in the handler, which is
 * interrupted (with everything it started, its finalizers run), and the
 * middleware answers 408 (`settle`; on Effect 3 the platform also turns the
 * interruption into an answer, which the pre-response handler installed
 * before makes a 408). A client that goes away interrupts the same fiber, as
 * without the middleware. Returns the cancellation of the timer entry.
 *
 * @internal
 */
export const cutAt = (
  state: RequestState,
  fiber: RuntimeFiber<unknown, unknown>,
  when?: () => boolean
): () => void =>
  Deadline.unsafeOnExpiry(state.deadline, fiber, () => {
    // a routeTimeout took the deadline over: it cuts, or not, itself
    if (state.routeOwnsDeadline || (when !== undefined && !when()) || !claimTimeout(state)) return
    interruptUnsafe(fiber)
  })

/**
 * How the app ended, once the middleware is done with it: the deadline's timer
 * entry is cancelled, and an interruption by the deadline is a 408.
 *
 * @internal
 */
export const settle = <E>(
  state: RequestState,
  cancel: (() => void) | undefined,
  exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
): Exit.Exit<HttpServerResponse.HttpServerResponse, E> => {
  if (cancel !== undefined) cancel()
  return Exit.isFailure(exit) && state.outcome === "timedOut" && isInterruptedOnly(exit.cause)
    ? Exit.succeed(requestTimeoutResponse())
    : exit
}
