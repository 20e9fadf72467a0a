import { Deadline, Options, Priority } from "@aio-request/core"
import * as PlatformHeaders from "@effect/platform/Headers"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { dual, identity } from "effect/Function"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Tracer from "effect/Tracer"
import * as Headers from "../Headers.js"
import type * as ServerMiddleware from "../ServerMiddleware.js"
import * as HttpMetricsInternal from "./httpMetrics.js"
import * as LoadShedding from "./loadShedding.js"

/** @internal */
export const unmatchedRoute = "<unmatched>"

/** @internal */
export const unknownRoute = "<unknown>"

/** @internal */
export const unknownClient = "unknown"

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

/** @internal */
export interface Resolved {
  readonly timeoutMillis: number
  readonly priority: Priority.Priority
  readonly lowTimeoutThresholdMillis: number
  readonly cancelOnTimeout: boolean
  readonly maxTimeoutMillis: number
  readonly clientHeader: string
  readonly maxClients: number
}

const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** @internal */
export const defaultMaxClients = HttpMetricsInternal.defaultMaxClients

/** @internal */
export const resolve = (options: ServerMiddleware.Options | undefined): Resolved => {
  const where = "ServerMiddleware.make"
  if (options !== undefined) Options.record(where, "options", options)
  const priority = Options.oneOf(where, "priority", options?.priority ?? "normal", ["high", "normal", "low"])
  const cancelOnTimeout = Options.boolean(where, "cancelOnTimeout", options?.cancelOnTimeout ?? false)
  const clientHeader = Options.string(where, "clientHeader", options?.clientHeader ?? Headers.ServiceName)
  if (!headerName.test(clientHeader)) Options.fail(where, "clientHeader", "a header name", clientHeader)
  const maxClients = Options.integer(where, "maxClients", options?.maxClients ?? defaultMaxClients, 1)
  const timeoutMillis = Duration.toMillis(
    Options.duration(where, "timeout", options?.timeout ?? "20 seconds", { positive: true })
  )
  const lowTimeoutThresholdMillis = Duration.toMillis(
    Options.duration(where, "lowTimeoutThreshold", options?.lowTimeoutThreshold ?? "5 millis")
  )
  if (timeoutMillis < lowTimeoutThresholdMillis) {
    Options.fail(where, "timeout", "at least lowTimeoutThreshold", options?.timeout ?? "20 seconds")
  }
  const maxTimeoutMillis = Duration.toMillis(
    Options.duration(where, "maxTimeout", options?.maxTimeout ?? "5 minutes", { positive: true })
  )
  return {
    timeoutMillis,
    priority,
    lowTimeoutThresholdMillis,
    cancelOnTimeout,
    maxTimeoutMillis,
    clientHeader: clientHeader.toLowerCase(),
    maxClients
  }
}

// ---------------------------------------------------------------------------
// headers
// ---------------------------------------------------------------------------

const decimalSeconds = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * `X-Request-Timeout`: seconds, decimal, finite and non-negative. Anything else
 * (absent, empty, negative, NaN, infinite such as `1e309`, hexadecimal, signed,
 * not a number) is none.
 *
 * @internal
 */
export const parseTimeoutMillis = (header: string | undefined): Option.Option<number> => {
  if (header === undefined) return Option.none()
  const trimmed = header.trim()
  if (!decimalSeconds.test(trimmed)) return Option.none()
  const seconds = Number(trimmed)
  if (!Number.isFinite(seconds) || seconds < 0) return Option.none()
  // a finite number of seconds may overflow in milliseconds: it is still a
  // (very long) deadline, which maxTimeout caps
  return Option.some(Math.min(seconds * 1000, Number.MAX_VALUE))
}

const clientName = /^[A-Za-z0-9._:\-/]{1,64}$/

/**
 * The metric label of the calling service: the header's value if it looks
 * like a service name (bounded length, no spaces), else `"unknown"`.
 *
 * @internal
 */
export const clientLabel = (header: string | undefined): string => {
  if (header === undefined) return unknownClient
  const trimmed = header.trim()
  return clientName.test(trimmed) ? trimmed : unknownClient
}

// ---------------------------------------------------------------------------
// per-request state
// ---------------------------------------------------------------------------

/**
 * What the middleware knows of the request in progress; `routeTimeout` reads
 * it, and writes the route template and whether it took the deadline over.
 * A plain object: every read and write is one synchronous step of the
 * request's fibers, so no `Ref` is needed.
 *
 * @internal
 */
export interface RequestState {
  readonly options: Resolved
  /** When the request arrived (see `arrivalNanos`), in epoch milliseconds. */
  readonly startMillis: number
  /** The deadline read from `X-Request-Timeout`, capped by `maxTimeout`. */
  readonly headerDeadline: Deadline.Deadline | undefined
  /** The route template, when `routeTimeout` saw one. */
  route: string | undefined
  /** The deadline in force: the header's, the route's or the default. */
  deadline: Deadline.Deadline
  /** `true` once a `routeTimeout` owns the deadline (no header was sent). */
  routeOwnsDeadline: boolean
  /** Whether the answer is a 408; decided once, by whoever comes first. */
  outcome: Outcome
}

/** @internal */
export type Outcome = "pending" | "timedOut" | "answered"

/** @internal */
export class CurrentRequest extends Context.Reference<CurrentRequest>()(
  "@aio-request/platform/ServerMiddleware/CurrentRequest",
  { defaultValue: () => Option.none<RequestState>() }
) {}

/** @internal */
export const requestTimeoutResponse = (): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.empty({ status: 408 })

/**
 * Decides that the answer is 408, unless another answer was decided first.
 *
 * @internal
 */
export const claimTimeout = (state: RequestState): boolean => {
  if (state.outcome === "answered") return false
  state.outcome = "timedOut"
  return true
}

/**
 * Whether the answer, about to be `status`, is a 408 instead; decided once.
 * With `cancelOnTimeout`, nothing but 408 is answered once the deadline has
 * passed, and a 5xx with less than `lowTimeoutThreshold` left (typically an
 * outgoing call that ran out of the same deadline a moment before the
 * middleware's timer) is a 408 too.
 */
const decide = (state: RequestState, status: number, nowMillis: number): boolean => {
  if (state.outcome !== "pending") return state.outcome === "timedOut"
  let late = false
  if (state.options.cancelOnTimeout) {
    const left = state.deadline.epochMillis - nowMillis
    late = left <= 0 || (status >= 500 && left < state.options.lowTimeoutThresholdMillis)
  }
  state.outcome = late ? "timedOut" : "answered"
  return late
}

/** The headers of an answer replaced by an empty 408: those describing its body go. */
const withoutBodyHeaders = (headers: PlatformHeaders.Headers): PlatformHeaders.Headers =>
  PlatformHeaders.remove(headers, ["content-type", "content-length", "content-encoding", "transfer-encoding", "etag"])

const as408 = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse =>
  response.status === 408
    ? response
    : HttpServerResponse.empty({ status: 408, headers: withoutBodyHeaders(response.headers) })

/**
 * The answer is written by the app itself when it is served with
 * `HttpServer.serve(app, middleware)` (or by the server after the middleware
 * otherwise), through the pre-response handlers of the fiber that writes it:
 * a handler installed there turns the answer into a 408 when so decided.
 *
 * With `cancelOnTimeout` it is installed before the app runs (the decision is
 * made when the answer is written). Without, only a `routeTimeout` decides on
 * a 408 (and answers one): it installs `replaceWith408` then, in case
 * something between it and the server turns that answer into another.
 */
const decideOnResponse = (state: RequestState, clock: Clock.Clock) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.sync(() => decide(state, response.status, clock.unsafeCurrentTimeMillis()) ? as408(response) : response)
  )

const replaceWith408 = HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(as408(response)))

const isClientAbort = (ids: HashSet.HashSet<FiberId.FiberId>): boolean =>
  HashSet.some(ids, (id) => id === HttpServerError.clientAbortFiberId)

const hasRouteNotFound = <E>(cause: Cause.Cause<E>): boolean =>
  Chunk.some(Cause.failures(cause), Predicate.isTagged("RouteNotFound"))

// ---------------------------------------------------------------------------
// arrival time
// ---------------------------------------------------------------------------

const arrivalKey = Symbol.for("@aio-request/platform/ServerMiddleware/arrivalNanos")

interface Stampable {
  [arrivalKey]?: bigint | undefined
}

interface NodeServerLike {
  [arrivalKey]?: true | undefined
  readonly prependListener: (event: "request", listener: (request: Stampable) => void) => unknown
}

/**
 * When the request arrived, in the clock's nanoseconds, if the platform tells:
 * on Node (`@effect/platform-node`), the request's `source` is the
 * `IncomingMessage`, whose socket knows its `http.Server`. The first request
 * seen on a server installs a `request` listener in front of the server's
 * others that stamps each later request with the clock's time as Node emits
 * it, before the request waits for the handler's fiber to run. The first
 * request of each server, and requests on other platforms, fall back to the
 * time the middleware runs (`now`).
 */
const arrivalNanos = (request: HttpServerRequest.HttpServerRequest, clock: Clock.Clock, now: bigint): bigint => {
  const source = request.source as Stampable & { readonly socket?: { readonly server?: unknown } } | undefined
  if (typeof source !== "object" || source === null) return now
  const stamp = source[arrivalKey]
  if (stamp !== undefined) return stamp < now ? stamp : now
  const server = source.socket?.server as NodeServerLike | undefined
  if (
    typeof server === "object" && server !== null && server[arrivalKey] === undefined &&
    typeof server.prependListener === "function"
  ) {
    server[arrivalKey] = true
    server.prependListener("request", (incoming) => {
      incoming[arrivalKey] = clock.unsafeCurrentTimeNanos()
    })
  }
  return now
}

// ---------------------------------------------------------------------------
// the middleware
// ---------------------------------------------------------------------------

/**
 * With `cancelOnTimeout`: interrupts the request's fiber when the deadline
 * passes, unless a `routeTimeout` took the deadline over by then. No fork: the
 * app runs in the request's own fiber, and the deadline is an entry in the
 * clock's shared timer (`Deadline.unsafeOnExpiry`). The platform runs a
 * request uninterruptibly except its route handler (unless the route is marked
 * uninterruptible), so the interruption lands in the handler, which is
 * interrupted (with everything it started, its finalizers run), and the rest
 * of the request goes on: the platform turns the interruption into an answer,
 * which the pre-response handler (installed before) makes a 408, and the
 * middleware returns a 408 itself (`settle`). A client that goes away
 * interrupts the same fiber, as without the middleware. Returns the
 * cancellation of the timer entry.
 */
const cutAt = (state: RequestState, fiber: Fiber.RuntimeFiber<unknown, unknown>): () => void =>
  Deadline.unsafeOnExpiry(state.deadline, fiber, () => {
    // a routeTimeout took the deadline over: it cuts, or not, itself
    if (state.routeOwnsDeadline || !claimTimeout(state)) return
    fiber.unsafeInterruptAsFork(FiberId.none)
  })

/**
 * How the app ended, once the middleware is done with it: the deadline's timer
 * entry is cancelled, and an interruption by the deadline is a 408.
 */
const settle = <E>(
  state: RequestState,
  cancel: (() => void) | undefined,
  exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
): Exit.Exit<HttpServerResponse.HttpServerResponse, E> => {
  if (cancel !== undefined) cancel()
  return Exit.isFailure(exit) && state.outcome === "timedOut" && Cause.isInterruptedOnly(exit.cause)
    ? Exit.succeed(requestTimeoutResponse())
    : exit
}

type Restore = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** @internal */
export const make = (
  options?: ServerMiddleware.Options
): <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R> => {
  const resolved = resolve(options)
  const series = HttpMetricsInternal.makeServerSeries(HttpMetricsInternal.defaultMaxSeries, resolved.maxClients)
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
      const startMillis = nowMillis - Number(nowNanos - startNanos) / 1e6
      const headers = request.headers
      const header = parseTimeoutMillis(headers[Headers.RequestTimeout])
      const headerTimeout = Option.isSome(header) ? Math.min(header.value, resolved.maxTimeoutMillis) : undefined
      const parsedPriority = Priority.parse(headers[Headers.RequestPriority])
      const priority = Option.isSome(parsedPriority) ? parsedPriority.value : resolved.priority
      const client = clientLabel(headers[resolved.clientHeader])
      const parent = Context.getOrElse(context, Tracer.ParentSpan, () => undefined)
      const span = parent !== undefined && parent._tag === "Span" && !parent.attributes.has("http.route")
        ? parent
        : undefined
      const headerDeadline = headerTimeout === undefined ? undefined : Deadline.unsafeMake(startMillis + headerTimeout)
      const state: RequestState = {
        options: resolved,
        startMillis,
        headerDeadline,
        route: undefined,
        deadline: headerDeadline ?? Deadline.unsafeMake(startMillis + resolved.timeoutMillis),
        routeOwnsDeadline: false,
        outcome: "pending"
      }

      /** Records the answer `answered` (or 499 when the caller went away), synchronously. */
      const record = (exit: Exit.Exit<unknown, unknown>, answered: number): void => {
        const interrupted = fiber.getFiberRef(FiberRef.interruptedCause)
        const status = !Cause.isEmptyType(interrupted) && isClientAbort(Cause.interruptors(interrupted))
          ? 499
          : decide(state, answered, clock.unsafeCurrentTimeMillis())
          ? 408
          : answered
        let route = state.route
        if (route === undefined) {
          const spanRoute = span?.attributes.get("http.route")
          route = typeof spanRoute === "string"
            ? spanRoute
            : Exit.isFailure(exit) && hasRouteNotFound(exit.cause)
            ? unmatchedRoute
            : unknownRoute
        }
        const seconds = Math.max(0, Number(clock.unsafeCurrentTimeNanos() - startNanos)) / 1e9
        // what `Metric.update` does, without its two steps: the fiber's metric labels apply
        series(client, request.method, route, status).unsafeUpdate(
          seconds,
          fiber.getFiberRef(FiberRef.currentMetricLabels)
        )
      }
      /** Records how the request ended and ends it so. */
      const recorded = (
        exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
      ): Effect.Effect<HttpServerResponse.HttpServerResponse, E> => {
        if (Exit.isSuccess(exit)) {
          record(exit, exit.value.status)
          return exit
        }
        // the answer the platform makes of the failure
        return Effect.flatMap(HttpServerError.causeResponse(exit.cause), ([response]) => {
          record(exit, response.status)
          return exit
        })
      }

      // 408 without running: a header deadline below the threshold; with
      // cancelOnTimeout (nothing is answered past the deadline), also one
      // that passed between the arrival and now. (A default deadline may
      // still be taken over by a longer routeTimeout.)
      if (
        headerTimeout !== undefined &&
        (headerTimeout < resolved.lowTimeoutThresholdMillis ||
          (resolved.cancelOnTimeout && headerDeadline!.epochMillis <= nowMillis))
      ) {
        state.outcome = "timedOut"
        const response = requestTimeoutResponse()
        record(Exit.succeed(response), response.status)
        return Effect.succeed(response)
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
      if (resolved.cancelOnTimeout) {
        const withContext = run
        run = Effect.zipRight(
          decideOnResponse(state, clock),
          Effect.suspend(() => {
            cancel = cutAt(state, fiber)
            return withContext
          })
        )
      }
      const ended = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) =>
        Effect.zipRight(restoreContext, settle(state, cancel, exit))
      // the ending must run whatever happens: within a server the request
      // runs uninterruptibly (the router makes only the handler
      // interruptible), so a plain match does; elsewhere `Effect.onExit`'s mask
      const interruptible = RuntimeFlags.interruption(status.runtimeFlags)
      const guarded = <A, E2, R2>(f: (restore: Restore) => Effect.Effect<A, E2, R2>): Effect.Effect<A, E2, R2> =>
        interruptible ? Effect.uninterruptibleMask(f) : f(identity)
      if (admit === undefined) {
        return guarded((restore) =>
          Effect.matchCauseEffect(restore(run), {
            onFailure: (cause) =>
              Effect.zipRight(restoreContext, recorded(settle(state, cancel, Exit.failCause(cause)))),
            onSuccess: (response) =>
              Effect.zipRight(restoreContext, recorded(settle(state, cancel, Exit.succeed(response))))
          })
        )
      }
      const admitted = admit(
        priority,
        guarded((restore) =>
          Effect.matchCauseEffect(restore(run), {
            onFailure: (cause) => ended(Exit.failCause(cause)),
            onSuccess: (response) => ended(Exit.succeed(response))
          })
        ),
        () => state.outcome === "timedOut"
      )
      return guarded((restore) => Effect.flatMap(Effect.exit(restore(admitted)), recorded))
    })
}

// ---------------------------------------------------------------------------
// route timeout
// ---------------------------------------------------------------------------

/** A route's deadline ran out: answer 408 (with `cancelOnTimeout` the middleware's handler is already in place). */
const answer408 = (state: RequestState): Effect.Effect<never> =>
  state.options.cancelOnTimeout
    ? Effect.die(requestTimeoutResponse())
    : Effect.zipRight(replaceWith408, Effect.die(requestTimeoutResponse()))

const withRouteTimeout = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  timeoutMillis: number
): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const context = fiber.currentContext
    const current = Context.get(context, CurrentRequest)
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    if (Option.isNone(current)) {
      // outside the middleware: only a deadline for the handler
      const own = Deadline.unsafeMake(clock.unsafeCurrentTimeMillis() + timeoutMillis)
      const inherited = Context.get(context, Deadline.CurrentDeadline)
      const deadline = Option.match(inherited, { onNone: () => own, onSome: Deadline.min(own) })
      return Effect.provideService(self, Deadline.CurrentDeadline, Option.some(deadline))
    }
    const state = current.value
    const routeContext = Context.getOption(context, HttpRouter.RouteContext)
    if (Option.isSome(routeContext)) state.route = routeContext.value.route.path
    // the header's deadline wins; the middleware applies it
    if (state.headerDeadline !== undefined) return self

    state.routeOwnsDeadline = true
    const deadline = Deadline.unsafeMake(state.startMillis + timeoutMillis)
    state.deadline = deadline
    const left = deadline.epochMillis - clock.unsafeCurrentTimeMillis()
    if (left <= 0 || left < state.options.lowTimeoutThresholdMillis) {
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
  (timeout: Duration.DurationInput) => <H extends ServerMiddleware.Handler>(self: H) => H,
  <H extends ServerMiddleware.Handler>(self: H, timeout: Duration.DurationInput) => H
>(2, (self: any, timeout: Duration.DurationInput): any => {
  const millis = Duration.toMillis(Options.duration("ServerMiddleware.routeTimeout", "timeout", timeout))
  return Effect.isEffect(self)
    ? withRouteTimeout(self, millis)
    : (...args: ReadonlyArray<unknown>) => withRouteTimeout(self(...args), millis)
})
