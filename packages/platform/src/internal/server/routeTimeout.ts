/**
 * `routeTimeout`: a route's own deadline. Within the middleware it replaces
 * the default deadline (a header's deadline wins) and, with
 * `cancelOnTimeout`, cuts the handler at it; outside, it only sets the
 * handler's deadline.
 */
import { Deadline, Options } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import {
  clockOf,
  contextOf,
  currentDeadline,
  currentTimeMillis,
  type DurationInput,
  matchedRoute,
  withFiber
} from "../line.js"
import { claimTimeout, currentRequest, replaceWith408, type RequestState, requestTimeoutResponse } from "./request.js"

/** A route's deadline ran out: answer 408 (with `cancelOnTimeout` the middleware's handler is already in place). */
const answer408 = (state: RequestState): Effect.Effect<never> =>
  state.options.cancelOnTimeout
    ? Effect.die(requestTimeoutResponse())
    : Effect.andThen(replaceWith408, Effect.die(requestTimeoutResponse()))

const withRouteTimeout = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  timeoutMillis: number
): Effect.Effect<A, E, R> =>
  withFiber((fiber) => {
    const context = contextOf(fiber)
    const state = currentRequest(context)
    const clock = clockOf(fiber)
    if (state === undefined) {
      // outside the middleware: only a deadline for the handler
      const own = Deadline.unsafeMake(currentTimeMillis(clock) + timeoutMillis)
      const inherited = currentDeadline(fiber)
      const deadline = Option.match(inherited, { onNone: () => own, onSome: Deadline.min(own) })
      return Effect.provideService(self, Deadline.CurrentDeadline, Option.some(deadline))
    }
    const route = matchedRoute(context)
    if (route !== undefined) state.route = route
    // the header's deadline wins; the middleware applies it
    if (state.headerDeadline !== undefined) return self

    state.routeOwnsDeadline = true
    const deadline = Deadline.unsafeMake(state.startMillis + timeoutMillis)
    state.deadline = deadline
    const left = deadline.epochMillis - currentTimeMillis(clock)
    if (kernel.tooLittleLeft(left, state.options.lowTimeoutThresholdMillis)) {
      claimTimeout(state)
      return answer408(state)
    }
    const withDeadline = Effect.provideService(self, Deadline.CurrentDeadline, Option.some(deadline))
    if (!state.options.cancelOnTimeout) return withDeadline
    return Effect.flatMap(Effect.timeoutOption(withDeadline, Duration.millis(left)), (outcome) => {
      if (Option.isSome(outcome)) return Effect.succeed(outcome.value)
      claimTimeout(state)
      return answer408(state)
    })
  })

/** @internal */
export const routeTimeout = dual<
  (timeout: DurationInput) => <H extends ServerMiddleware.Handler>(self: H) => H,
  <H extends ServerMiddleware.Handler>(self: H, timeout: DurationInput) => H
>(2, (self: any, timeout: DurationInput): any => {
  const millis = Duration.toMillis(Options.duration("ServerMiddleware.routeTimeout", "timeout", timeout))
  return Effect.isEffect(self)
    ? withRouteTimeout(self, millis)
    : (...args: ReadonlyArray<unknown>) => withRouteTimeout(self(...args), millis)
})
