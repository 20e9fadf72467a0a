/**
 * The middleware: reads the request's deadline, priority and caller, answers
 * 408 without running when there is no time left, runs the app with the
 * deadline and priority in its context (admitted by the load shedding when
 * there is one, cut at the deadline with `cancelOnTimeout`), and records it.
 */
import { Deadline, Priority } from "@aio-request/core"
import { bodyStillArriving } from "@aio-request/kernel/http/arrival"
import * as Headers from "@aio-request/kernel/http/headers"
import * as metrics from "@aio-request/kernel/http/metrics"
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import * as trust from "@aio-request/kernel/http/trust"
import * as kernelPriority from "@aio-request/kernel/priority"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import * as HttpMetricsInternal from "../httpMetrics.js"
import { arrivalNanos } from "./arrival.js"
import { cutAt, settle } from "./cut.js"
import * as LoadShedding from "./loadShedding.js"
import { resolve, trusts } from "./options.js"
import { record } from "./record.js"
import { CurrentRequest, decideOnResponse, type RequestState, requestTimeoutResponse } from "./request.js"

type App<E, R> = Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>

/**
 * Records how the request ended and ends it so. (A module function, not a
 * closure made per request.)
 */
const recorded = <E>(
  series: HttpMetricsInternal.ServerSeries,
  clock: Clock.Clock,
  state: RequestState,
  exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
): App<E, never> => {
  if (Exit.isSuccess(exit)) return Effect.andThen(record(series, clock, state, exit, exit.value.status), exit)
  // the answer the server makes of the failure
  return Effect.flatMap(
    HttpServerError.causeResponse(exit.cause),
    ([response]) => Effect.andThen(record(series, clock, state, exit, response.status), exit)
  )
}

/** @internal */
export const make = (
  options?: ServerMiddleware.Options
): <E, R>(app: App<E, R>) => App<E, R | HttpServerRequest.HttpServerRequest> => {
  const resolved = resolve(options)
  const series = HttpMetricsInternal.makeServerSeries(metrics.defaultMaxSeries, resolved.maxClients)
  const admit = LoadShedding.make(options)
  return <E, R>(app: App<E, R>): App<E, R | HttpServerRequest.HttpServerRequest> =>
    Effect.withFiber((fiber) => {
      const context = fiber.context
      const request = Context.getUnsafe(context, HttpServerRequest.HttpServerRequest)
      const clock = fiber.getRef(Clock.Clock)
      // deadlines are on the clock's milliseconds (what `Deadline.remaining`
      // reads), the latency on its nanoseconds; both count from the arrival
      const nowNanos = clock.currentTimeNanosUnsafe()
      const startNanos = arrivalNanos(request, clock, nowNanos)
      const nowMillis = clock.currentTimeMillisUnsafe()
      const startMillis = kernel.arrivalMillis(nowMillis, nowNanos, startNanos)
      const headers = request.headers
      // what the caller claims, believed up to the caps of its trust
      const believed = trust.believe(
        {
          priority: kernelPriority.parse(headers[Headers.RequestPriority]),
          timeoutMillis: Headers.parseTimeoutMillis(headers[Headers.RequestTimeout])
        },
        () => trusts(resolved, request),
        resolved
      )
      const headerTimeout = believed.timeoutMillis
      const priority = believed.priority ?? resolved.priority
      const parent = Context.getOrUndefined(context, Tracer.ParentSpan)
      const headerDeadline = headerTimeout === undefined ? undefined : Deadline.unsafeMake(startMillis + headerTimeout)
      const state: RequestState = {
        options: resolved,
        startMillis,
        startNanos,
        client: Headers.clientLabel(headers[resolved.clientHeader]),
        method: request.method,
        span: parent !== undefined && parent._tag === "Span" && !parent.attributes.has("http.route")
          ? parent
          : undefined,
        headerDeadline,
        route: undefined,
        deadline: headerDeadline ?? Deadline.unsafeMake(startMillis + resolved.timeoutMillis),
        routeOwnsDeadline: false,
        outcome: "pending"
      }

      // 408 without running: a header deadline below the threshold; with
      // cancelOnTimeout (nothing is answered past the deadline), also one
      // that passed between the arrival and now. (A default deadline may
      // still be taken over by a longer routeTimeout.)
      if (
        headerTimeout !== undefined &&
        kernel.refusedOnArrival(headerTimeout, headerDeadline!.epochMillis, nowMillis, resolved)
      ) {
        state.outcome = "timedOut"
        const response = requestTimeoutResponse()
        return Effect.as(record(series, clock, state, Exit.succeed(response), response.status), response)
      }

      // the route the router matched: it leaves its RouteContext in the
      // fiber's context until the request ends
      const routed = Effect.withFiber((fiber) => {
        if (state.route === undefined) {
          const route = Context.getOrUndefined(fiber.context, HttpRouter.RouteContext)
          if (route !== undefined) state.route = route.route.path
        }
        return Effect.void
      })
      let cancel: (() => void) | undefined
      // added to the fiber's context as it is (`provideContext` would merge,
      // copying every service of the request's context)
      let run: App<E, R> = Effect.onExit(app, () => routed).pipe(
        Effect.updateContext((current: Context.Context<R>) =>
          Context.add(
            Context.add(
              Context.add(current, CurrentRequest, Option.some(state)),
              Deadline.CurrentDeadline,
              Option.some(state.deadline)
            ),
            Priority.CurrentPriority,
            Option.some(priority)
          ) as Context.Context<R>
        )
      )
      // with cancelOnTimeout, the cut at the deadline; under a concurrency
      // limit without it, the cut of a request whose body is still arriving
      // then (a slow sender holds its slot no longer than its deadline)
      if (resolved.cancelOnTimeout || admit !== undefined) {
        const withContext = run
        run = Effect.andThen(
          decideOnResponse(state, clock) as Effect.Effect<void>,
          Effect.suspend(() => {
            cancel = cutAt(
              state,
              fiber,
              resolved.cancelOnTimeout ? undefined : () => bodyStillArriving(request.source)
            )
            return withContext
          })
        )
      }
      // how the app ended, settled and (without load shedding, which records
      // once it has judged the answer) recorded
      const ended = admit === undefined
        ? (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) =>
          recorded(series, clock, state, settle(state, cancel, exit))
        : (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) => settle(state, cancel, exit)
      // the ending runs whatever happens: the server runs a request
      // uninterruptibly (the router makes only the handler interruptible),
      // and the mask keeps it so elsewhere
      const handled: App<E, R> = Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Effect.exit(restore(run)), ended)
      )
      if (admit === undefined) return handled
      const admitted = admit(priority, handled, () => state.outcome === "timedOut")
      return Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Effect.exit(restore(admitted)), (exit) => recorded(series, clock, state, exit))
      )
    })
}
