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
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Tracer from "effect/Tracer"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import * as HttpMetricsInternal from "../httpMetrics.js"
import { arrivalNanos } from "./arrival.js"
import { cutAt, settle } from "./cut.js"
import * as LoadShedding from "./loadShedding.js"
import { resolve, trusts } from "./options.js"
import { record } from "./record.js"
import { CurrentRequest, decideOnResponse, type RequestState, requestTimeoutResponse } from "./request.js"

type Restore = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** @internal */
export const make = (
  options?: ServerMiddleware.Options
): <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R> => {
  const resolved = resolve(options)
  const series = HttpMetricsInternal.makeServerSeries(metrics.defaultMaxSeries, resolved.maxClients)
  const admit = LoadShedding.make(options)
  return <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.withFiberRuntime((fiber, status) => {
      const context = fiber.currentContext as Context.Context<R | HttpServerRequest.HttpServerRequest>
      const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      // deadlines are on the clock's milliseconds (what `Deadline.remaining`
      // reads), the latency on its nanoseconds; both count from the arrival
      const nowNanos = clock.unsafeCurrentTimeNanos()
      const startNanos = arrivalNanos(request, clock, nowNanos)
      const nowMillis = clock.unsafeCurrentTimeMillis()
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
      const parent = Context.getOrElse(context, Tracer.ParentSpan, () => undefined)
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
        record(series, fiber, clock, state, Exit.succeed(response), response.status)
        return Effect.succeed(response)
      }

      /** Records how the request ended and ends it so. */
      const recorded = (
        exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
      ): Effect.Effect<HttpServerResponse.HttpServerResponse, E> => {
        if (Exit.isSuccess(exit)) {
          record(series, fiber, clock, state, exit, exit.value.status)
          return exit
        }
        // the answer the platform makes of the failure
        return Effect.flatMap(HttpServerError.causeResponse(exit.cause), ([response]) => {
          record(series, fiber, clock, state, exit, response.status)
          return exit
        })
      }

      // the app runs with the request's context, set on the fiber and put
      // back when it ends (what `Effect.locally` does, in two steps instead
      // of its acquire-use-release)
      const map = new Map(context.unsafeMap)
      map.set(CurrentRequest.key, Option.some(state))
      map.set(Deadline.CurrentDeadline.key, Option.some(state.deadline))
      map.set(Priority.CurrentPriority.key, Option.some(priority))
      const restoreContext = FiberRef.set(FiberRef.currentContext, context)
      let cancel: (() => void) | undefined
      let run: HttpApp.Default<E, R> = Effect.zipRight(
        FiberRef.set(FiberRef.currentContext, Context.unsafeMake<never>(map)),
        app
      )
      // with cancelOnTimeout, the cut at the deadline; under a concurrency
      // limit without it, the cut of a request whose body is still arriving
      // then (a slow sender holds its slot no longer than its deadline)
      if (resolved.cancelOnTimeout || admit !== undefined) {
        const withContext = run
        run = Effect.zipRight(
          decideOnResponse(state, clock),
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
        ? (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) => recorded(settle(state, cancel, exit))
        : (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) => settle(state, cancel, exit)
      // the ending must run whatever happens: within a server the request
      // runs uninterruptibly (the router makes only the handler
      // interruptible), so a plain match does; elsewhere `Effect.onExit`'s mask
      const interruptible = RuntimeFlags.interruption(status.runtimeFlags)
      const guarded = <A, E2, R2>(f: (restore: Restore) => Effect.Effect<A, E2, R2>): Effect.Effect<A, E2, R2> =>
        interruptible ? Effect.uninterruptibleMask(f) : f(identity)
      const handled = guarded((restore) =>
        Effect.matchCauseEffect(restore(run), {
          onFailure: (cause) => Effect.zipRight(restoreContext, ended(Exit.failCause(cause))),
          onSuccess: (response) => Effect.zipRight(restoreContext, ended(Exit.succeed(response)))
        })
      )
      if (admit === undefined) return handled
      const admitted = admit(priority, handled, () => state.outcome === "timedOut")
      return guarded((restore) => Effect.flatMap(Effect.exit(restore(admitted)), recorded))
    })
}
