/**
 * `routeTimeout`: a route's own deadline. Within the middleware it replaces
 * the default deadline (a header's deadline wins) and, with
 * `cancelOnTimeout`, cuts the handler at it; outside, it only sets the
 * handler's deadline.
 */
import { Deadline, Options } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as HttpRouter from "effect/http/HttpRouter"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Option from "effect/Option"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import { claimTimeout, currentRequest, replaceWith408, type RequestState, requestTimeoutResponse } from "./request.js"

/** A route's deadline ran out: answer 408 (with `cancelOnTimeout` the middleware's handler is already in place). */
const answer408 = (state: RequestState): Effect.Effect<never, never, HttpServerRequest.HttpServerRequest> =>
  state.options.cancelOnTimeout
    ? Effect.die(requestTimeoutResponse())
    : Effect.andThen(replaceWith408, Effect.die(requestTimeoutResponse()))

const withRouteTimeout = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  timeoutMillis: number
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => {
    const context = fiber.context
    const state = currentRequest(context)
    const clock = fiber.getRef(Clock.Clock)
    if (state === undefined) {
      // outside the middleware: only a deadline for the handler
      const own = Deadline.unsafeMake(clock.currentTimeMillisUnsafe() + timeoutMillis)
      const inherited = fiber.getRef(Deadline.CurrentDeadline)
      const deadline = Option.match(inherited, { onNone: () => own, onSome: Deadline.min(own) })
      return Effect.provideService(self, Deadline.CurrentDeadline, Option.some(deadline))
    }
    const routeContext = Context.getOrUndefined(context, HttpRouter.RouteContext)
    if (routeContext !== undefined) state.route = routeContext.route.path
    // the header's deadline wins; the middleware applies it
    if (state.headerDeadline !== undefined) return self

    state.routeOwnsDeadline = true
    const deadline = Deadline.unsafeMake(state.startMillis + timeoutMillis)
    state.deadline = deadline
    const left = deadline.epochMillis - clock.currentTimeMillisUnsafe()
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
  }) as Effect.Effect<A, E, R>

/** @internal */
export const routeTimeout = dual<
  (timeout: Duration.Input) => <H extends ServerMiddleware.Handler>(self: H) => H,
  <H extends ServerMiddleware.Handler>(self: H, timeout: Duration.Input) => H
>(2, (self: any, timeout: Duration.Input): any => {
  const millis = Duration.toMillis(Options.duration("ServerMiddleware.routeTimeout", "timeout", timeout))
  return Effect.isEffect(self)
    ? withRouteTimeout(self, millis)
    : (...args: ReadonlyArray<unknown>) => withRouteTimeout(self(...args), millis)
})
