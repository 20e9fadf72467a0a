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
import * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import { dual } from "effect/Function"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Tracer from "effect/Tracer"
import * as Headers from "../Headers.js"
import * as HttpMetrics from "../HttpMetrics.js"
import type * as ServerMiddleware from "../ServerMiddleware.js"
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
}

const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** @internal */
export const resolve = (options: ServerMiddleware.Options | undefined): Resolved => {
  const where = "ServerMiddleware.make"
  const priority = options?.priority ?? "normal"
  if (priority !== "high" && priority !== "normal" && priority !== "low") {
    Options.fail(where, "priority", `"high", "normal" or "low"`, priority)
  }
  const cancelOnTimeout = options?.cancelOnTimeout ?? false
  if (typeof cancelOnTimeout !== "boolean") Options.fail(where, "cancelOnTimeout", "a boolean", cancelOnTimeout)
  const clientHeader = options?.clientHeader ?? Headers.ServiceName
  if (typeof clientHeader !== "string" || !headerName.test(clientHeader)) {
    Options.fail(where, "clientHeader", "a header name", clientHeader)
  }
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
    clientHeader: clientHeader.toLowerCase()
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
 *
 * @internal
 */
export interface RequestState {
  readonly options: Resolved
  readonly startMillis: number
  /** The deadline read from `X-Request-Timeout`, capped by `maxTimeout`. */
  readonly headerDeadline: Option.Option<Deadline.Deadline>
  /** The route template, when `routeTimeout` saw one. */
  readonly route: Ref.Ref<Option.Option<string>>
  /** The deadline in force: the header's, the route's or the default. */
  readonly deadline: Ref.Ref<Deadline.Deadline>
  /** `true` once a `routeTimeout` owns the deadline (no header was sent). */
  readonly routeOwnsDeadline: Ref.Ref<boolean>
  /** Whether the answer is a 408; decided once, by whoever comes first. */
  readonly outcome: Ref.Ref<Outcome>
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
export const claimTimeout = (state: RequestState): Effect.Effect<boolean> =>
  Ref.modify(
    state.outcome,
    (outcome): [boolean, Outcome] => outcome === "answered" ? [false, outcome] : [true, "timedOut"]
  )

/**
 * Whether the answer, about to be `status`, is a 408 instead; decided once.
 * With `cancelOnTimeout`, nothing but 408 is answered once the deadline has
 * passed, and a 5xx with less than `lowTimeoutThreshold` left (typically an
 * outgoing call that ran out of the same deadline a moment before the
 * middleware's timer) is a 408 too.
 */
const decide = (state: RequestState, status: number): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const current = yield* Ref.get(state.outcome)
    if (current !== "pending") return current === "timedOut"
    let late = false
    if (state.options.cancelOnTimeout) {
      const left = Duration.toMillis(yield* Deadline.remaining(yield* Ref.get(state.deadline)))
      late = left <= 0 || (status >= 500 && left < state.options.lowTimeoutThresholdMillis)
    }
    return yield* Ref.modify(
      state.outcome,
      (outcome): [boolean, Outcome] =>
        outcome !== "pending" ? [outcome === "timedOut", outcome] : late ? [true, "timedOut"] : [false, "answered"]
    )
  })

/** The headers of an answer replaced by an empty 408: those describing its body go. */
const withoutBodyHeaders = (headers: PlatformHeaders.Headers): PlatformHeaders.Headers =>
  PlatformHeaders.remove(headers, ["content-type", "content-length", "content-encoding", "transfer-encoding", "etag"])

const isClientAbort = (ids: HashSet.HashSet<FiberId.FiberId>): boolean =>
  HashSet.some(ids, (id) => id === HttpServerError.clientAbortFiberId)

const hasRouteNotFound = <E>(cause: Cause.Cause<E>): boolean =>
  Chunk.some(Cause.failures(cause), Predicate.isTagged("RouteNotFound"))

const statusOf = <E>(
  exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>
): Effect.Effect<number> =>
  Exit.isSuccess(exit)
    ? Effect.succeed(exit.value.status)
    : Effect.map(HttpServerError.causeResponse(exit.cause), ([response]) => response.status)

// ---------------------------------------------------------------------------
// the middleware
// ---------------------------------------------------------------------------

/**
 * Interrupts `app` (run in a child fiber with the caller's interruptibility,
 * so routes marked uninterruptible stay so) when `deadline` passes, unless a
 * `routeTimeout` took the deadline over by then. The caller's wait is
 * interruptible: a client that goes away interrupts the app with the same
 * interruptor.
 */
const cutAt = <E, R>(
  app: HttpApp.Default<E, R>,
  deadline: Deadline.Deadline,
  state: RequestState
): HttpApp.Default<E, R> =>
  Effect.gen(function*() {
    const left = yield* Deadline.remaining(deadline)
    const appFiber = yield* Effect.fork(app)
    const timer = Effect.sleep(left).pipe(
      Effect.zipRight(Ref.get(state.routeOwnsDeadline)),
      Effect.flatMap((routeOwns) => routeOwns ? Effect.succeed(false) : claimTimeout(state)),
      Effect.flatMap((claimed) => claimed ? Fiber.interrupt(appFiber) : Effect.void)
    )
    const timerFiber = yield* Effect.fork(Effect.interruptible(timer))
    const exit = yield* Effect.interruptible(Fiber.await(appFiber)).pipe(
      Effect.onInterrupt((interruptors) =>
        isClientAbort(interruptors)
          ? Fiber.interruptAs(appFiber, HttpServerError.clientAbortFiberId)
          : Fiber.interrupt(appFiber)
      ),
      Effect.ensuring(Fiber.interrupt(timerFiber))
    )
    if ((yield* Ref.get(state.outcome)) === "timedOut") return requestTimeoutResponse()
    return yield* exit
  })

/** @internal */
export const make = (
  options?: ServerMiddleware.Options
): <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R> => {
  const resolved = resolve(options)
  const metrics = HttpMetrics.makeRecorder()
  const admit = LoadShedding.make(options)
  return <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const startMillis = yield* Clock.currentTimeMillis
      const headerTimeout = Option.map(
        parseTimeoutMillis(request.headers[Headers.RequestTimeout]),
        (millis) => Math.min(millis, resolved.maxTimeoutMillis)
      )
      const priority = Option.getOrElse(
        Priority.parse(request.headers[Headers.RequestPriority]),
        () => resolved.priority
      )
      const client = clientLabel(request.headers[resolved.clientHeader])
      const span = Option.filter(
        yield* Effect.serviceOption(Tracer.ParentSpan),
        (span): span is Tracer.Span => span._tag === "Span" && !span.attributes.has("http.route")
      )
      const headerDeadline = Option.map(headerTimeout, (millis) => Deadline.unsafeMake(startMillis + millis))
      const deadline = Option.getOrElse(
        headerDeadline,
        () => Deadline.unsafeMake(startMillis + resolved.timeoutMillis)
      )
      const state: RequestState = {
        options: resolved,
        startMillis,
        headerDeadline,
        route: yield* Ref.make(Option.none<string>()),
        deadline: yield* Ref.make(deadline),
        routeOwnsDeadline: yield* Ref.make(false),
        outcome: yield* Ref.make<Outcome>("pending")
      }

      const record = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) =>
        Effect.gen(function*() {
          const endMillis = yield* Clock.currentTimeMillis
          const interruptors = yield* Effect.descriptorWith((descriptor) => Effect.succeed(descriptor.interruptors))
          const answered = yield* statusOf(exit)
          const status = isClientAbort(interruptors) ? 499 : (yield* decide(state, answered)) ? 408 : answered
          const route = Option.getOrElse(
            Option.orElse(
              yield* Ref.get(state.route),
              () =>
                Option.flatMap(span, (span) => {
                  const route = span.attributes.get("http.route")
                  return typeof route === "string" ? Option.some(route) : Option.none()
                })
            ),
            () => Exit.isFailure(exit) && hasRouteNotFound(exit.cause) ? unmatchedRoute : unknownRoute
          )
          yield* metrics.recordServerRequest(
            { client, method: request.method, path: route, status },
            Math.max(0, endMillis - startMillis) / 1000
          )
        })

      const tooLate = Option.match(headerTimeout, {
        onNone: () => false,
        onSome: (millis) => millis <= 0 || millis < resolved.lowTimeoutThresholdMillis
      })
      if (tooLate) {
        yield* Ref.set(state.outcome, "timedOut")
        const response = requestTimeoutResponse()
        yield* record(Exit.succeed(response))
        return response
      }

      yield* HttpApp.appendPreResponseHandler((_request, response) =>
        Effect.map(
          decide(state, response.status),
          (timedOut) =>
            timedOut && response.status !== 408
              ? HttpServerResponse.empty({ status: 408, headers: withoutBodyHeaders(response.headers) })
              : response
        )
      )
      // one context update rather than three
      const withContext = Effect.mapInputContext(
        app,
        (context: Context.Context<R | HttpServerRequest.HttpServerRequest>) =>
          context.pipe(
            Context.add(CurrentRequest, Option.some(state)),
            Context.add(Deadline.CurrentDeadline, Option.some(deadline)),
            Context.add(Priority.CurrentPriority, Option.some(priority))
          )
      )
      const handled = resolved.cancelOnTimeout ? cutAt(withContext, deadline, state) : withContext
      return yield* (admit === undefined ? handled : admit(priority, handled)).pipe(Effect.onExit(record))
    })
}

// ---------------------------------------------------------------------------
// route timeout
// ---------------------------------------------------------------------------

const withRouteTimeout = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  timeoutMillis: number
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const current = yield* CurrentRequest
    if (Option.isNone(current)) {
      // outside the middleware: only a deadline for the handler
      const own = Deadline.unsafeMake((yield* Clock.currentTimeMillis) + timeoutMillis)
      const inherited = yield* Deadline.CurrentDeadline
      const deadline = Option.match(inherited, { onNone: () => own, onSome: Deadline.min(own) })
      return yield* Effect.provideService(self, Deadline.CurrentDeadline, Option.some(deadline))
    }
    const state = current.value
    const routeContext = yield* Effect.serviceOption(HttpRouter.RouteContext)
    if (Option.isSome(routeContext)) yield* Ref.set(state.route, Option.some(routeContext.value.route.path))
    // the header's deadline wins; the middleware applies it
    if (Option.isSome(state.headerDeadline)) return yield* self

    yield* Ref.set(state.routeOwnsDeadline, true)
    const deadline = Deadline.unsafeMake(state.startMillis + timeoutMillis)
    yield* Ref.set(state.deadline, deadline)
    const left = Duration.toMillis(yield* Deadline.remaining(deadline))
    if (left <= 0 || left < state.options.lowTimeoutThresholdMillis) {
      yield* claimTimeout(state)
      return yield* Effect.die(requestTimeoutResponse())
    }
    const withDeadline = Effect.provideService(self, Deadline.CurrentDeadline, Option.some(deadline))
    if (!state.options.cancelOnTimeout) return yield* withDeadline
    const outcome = yield* Effect.timeoutOption(withDeadline, Duration.millis(left))
    if (Option.isSome(outcome)) return outcome.value
    yield* claimTimeout(state)
    return yield* Effect.die(requestTimeoutResponse())
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
