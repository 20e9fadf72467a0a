/**
 * The middleware: reads the request's deadline, priority and caller, answers
 * 408 without running when there is no time left, runs the app with the
 * deadline and priority in its context (admitted by the load shedding when
 * there is one, cut at the deadline with `cancelOnTimeout`), and records it.
 */
import { Deadline, type Priority } from "@aio-request/core"
import { bodyStillArriving } from "@aio-request/kernel/http/arrival"
import * as Headers from "@aio-request/kernel/http/headers"
import * as metrics from "@aio-request/kernel/http/metrics"
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import * as trust from "@aio-request/kernel/http/trust"
import * as kernelPriority from "@aio-request/kernel/priority"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import * as HttpMetricsInternal from "../httpMetrics.js"
import {
  type App,
  causeResponse,
  clockOf,
  contextOf,
  currentTimeMillis,
  currentTimeNanos,
  type HttpServerRequest,
  type HttpServerResponse,
  matchedRoute,
  parentSpanOf,
  type RuntimeFiber,
  serverRequestOf,
  setContext,
  uninterruptibleMask,
  withDeadlineAndPriority,
  withFiber
} from "../line.js"
import { arrivalNanos } from "./arrival.js"
import { cutAt, settle } from "./cut.js"
import * as LoadShedding from "./loadShedding.js"
import { resolve, trusts } from "./options.js"
import { record } from "./record.js"
import { decideOnResponse, type RequestState, requestTimeoutResponse, setCurrentRequest } from "./request.js"

/**
 * Records how the request ended and ends it so. (A module function, not a
 * closure made per request.)
 */
const recorded = <E>(
  series: HttpMetricsInternal.ServerSeries,
  fiber: RuntimeFiber<unknown, unknown>,
  clock: Clock.Clock,
  state: RequestState,
  exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
): App<E, never> => {
  if (Exit.isSuccess(exit)) {
    record(series, fiber, clock, state, exit, exit.value.status)
    return exit
  }
  // the answer the server makes of the failure
  return Effect.flatMap(causeResponse(exit.cause), ([response]) => {
    record(series, fiber, clock, state, exit, response.status)
    return exit
  })
}

/** The request in progress, as the middleware runs it. */
interface Run<E, R> {
  readonly app: App<E, R>
  readonly series: HttpMetricsInternal.ServerSeries
  readonly clock: Clock.Clock
  readonly state: RequestState
  readonly request: HttpServerRequest.HttpServerRequest
  readonly priority: Priority.Priority
  /** The cut at the deadline: with cancelOnTimeout, or under a concurrency limit (of a body still arriving). */
  readonly cuts: boolean
  /** Whether the middleware records (not when the load shedding does, once it has judged the answer). */
  readonly records: boolean
}

/**
 * Runs the app with the deadline and priority in the fiber's context, set on
 * the fiber itself (no step; see `withDeadlineAndPriority` for how each line
 * adds them) and put back when it ends. With
 * cancelOnTimeout, the cut at the deadline; under a concurrency limit
 * without it, the cut of a request whose body is still arriving then (a slow
 * sender holds its slot no longer than its deadline). The ending runs
 * whatever happens: the server runs a request uninterruptibly (the router
 * makes only the handler interruptible), and the mask keeps it so elsewhere.
 * (Module functions, not closures made per request.)
 */
const handle = <E, R>(run: Run<E, R>, fiber: RuntimeFiber<unknown, unknown>): App<E, R> =>
  uninterruptibleMask(fiber, (restore) => {
    const { state } = run
    const previous = contextOf(fiber)
    setContext(fiber, withDeadlineAndPriority(previous, state.deadline, run.priority))
    let cancel: (() => void) | undefined
    if (run.cuts) {
      decideOnResponse(fiber, state, run.clock)
      cancel = cutAt(
        state,
        fiber,
        state.options.cancelOnTimeout ? undefined : () => bodyStillArriving(run.request.source)
      )
    }
    return Effect.flatMap(Effect.exit(restore(run.app)), (exit) => ended(run, fiber, previous, cancel, exit))
  })

/**
 * The app has ended: the route the router matched is read (it leaves its
 * RouteContext in the fiber's context until the request ends), the fiber's
 * context put back, and the end settled and recorded.
 */
const ended = <E, R>(
  run: Run<E, R>,
  fiber: RuntimeFiber<unknown, unknown>,
  previous: ReturnType<typeof contextOf>,
  cancel: (() => void) | undefined,
  exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
): App<E, never> => {
  const { state } = run
  if (state.route === undefined) state.route = matchedRoute(contextOf(fiber))
  setContext(fiber, previous)
  const settled = settle(state, cancel, exit)
  return run.records ? recorded(run.series, fiber, run.clock, state, settled) : settled
}

/** @internal */
export const make = (
  options?: ServerMiddleware.Options
): <E, R>(app: App<E, R>) => App<E, R | HttpServerRequest.HttpServerRequest> => {
  const resolved = resolve(options)
  const series = HttpMetricsInternal.makeServerSeries(metrics.defaultMaxSeries, resolved.maxClients)
  const admit = LoadShedding.make(options)
  return <E, R>(app: App<E, R>): App<E, R | HttpServerRequest.HttpServerRequest> =>
    withFiber((fiber) => {
      const context = contextOf(fiber)
      const request = serverRequestOf(context)!
      const clock = clockOf(fiber)
      // deadlines are on the clock's milliseconds (what `Deadline.remaining`
      // reads), the latency on its nanoseconds; both count from the arrival
      const nowNanos = currentTimeNanos(clock)
      const startNanos = arrivalNanos(request, clock, nowNanos)
      const nowMillis = currentTimeMillis(clock)
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
      const parent = parentSpanOf(context)
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
      // routeTimeout finds the request's state by its request
      setCurrentRequest(request, state)

      const run: Run<E, R> = {
        app,
        series,
        clock,
        state,
        request,
        priority,
        cuts: resolved.cancelOnTimeout || admit !== undefined,
        records: admit === undefined
      }
      if (admit === undefined) return handle(run, fiber)
      const admitted = admit(
        priority,
        withFiber((fiber) => handle(run, fiber)),
        () => state.outcome === "timedOut"
      )
      return uninterruptibleMask(fiber, (restore) =>
        Effect.flatMap(Effect.exit(restore(admitted)), (exit) => recorded(series, fiber, clock, state, exit)))
    })
}
