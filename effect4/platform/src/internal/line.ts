/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 4 line's (`effect/http`);
 * packages/platform/src/internal/line.ts is its Effect 3 twin
 * (`@effect/platform`), with the same exports.
 *
 * @internal
 */
import { Deadline, Priority } from "@aio-request/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as PlatformHeaders from "effect/http/Headers"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest_ from "effect/http/HttpClientRequest"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest_ from "effect/http/HttpServerRequest"
import type * as HttpServerResponse_ from "effect/http/HttpServerResponse"
import * as UrlParams_ from "effect/http/UrlParams"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

export * as HttpClientRequest from "effect/http/HttpClientRequest"
export type * as HttpClientResponse from "effect/http/HttpClientResponse"
export type * as HttpServerRequest from "effect/http/HttpServerRequest"
export * as HttpServerResponse from "effect/http/HttpServerResponse"

/** The first typed failure of `cause`, if any (Effect 4's `Cause.findErrorOption`). */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.findErrorOption

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

/** Whether `cause` holds interruptions and nothing else (Effect 4's `Cause.hasInterruptsOnly`). */
export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

/** A counter of numbers (Effect 4's `Metric.Counter<number>`). */
export type Counter = Metric.Counter<number>

/** `metric` with the labels `labels` (Effect 4's attributes). */
export const withLabels = <M extends Counter>(metric: M, labels: Readonly<Record<string, string>>): M =>
  Metric.withAttributes(metric, labels) as M

/** The error of a request that could not be sent (Effect 4's one `HttpClientError`). */
export type RequestError = HttpClientError.HttpClientError

/** A request that cannot be encoded, saying why (`HttpClientError`, reason `EncodeError`). */
export const encodeError = (request: HttpClientRequest_.HttpClientRequest, description: string): RequestError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, description }) })

/** A server's app: an effect answering the request in context (Effect 4 has no `HttpApp` module). */
export type App<E, R> = Effect.Effect<HttpServerResponse_.HttpServerResponse, E, R>

/** A running fiber (Effect 4's `Fiber.Fiber`). */
export type RuntimeFiber<A, E> = Fiber.Fiber<A, E>

/** Interrupts `fiber` without waiting for it. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void => fiber.interruptUnsafe()

// --- server lane: the metrics, the server middleware ---

/** A histogram of numbers (Effect 4's `Metric.Histogram<number>`). */
export type Histogram = Metric.Histogram<number>

/** A histogram `name` of the bucket bounds `buckets` (Effect 4's `Metric.histogram` with options). */
export const histogram = (name: string, buckets: ReadonlyArray<number>, description: string): Histogram =>
  Metric.histogram(name, { boundaries: Metric.boundariesFromIterable(buckets), description })

/** `metric` with the labels `labels` (Effect 4's attributes): a histogram's `withLabels`. */
export const withHistogramLabels = (metric: Histogram, labels: Readonly<Record<string, string>>): Histogram =>
  Metric.withAttributes(metric, labels)

/** The headers of a record whose names are lower case already (Effect 4's `Headers.fromRecordUnsafe`). */
export const headersFromRecordUnsafe: (input: Readonly<Record<string, string>>) => PlatformHeaders.Headers =
  PlatformHeaders.fromRecordUnsafe

/** `Headers.merge` and `Headers.fromInput`, where the line keeps them. */
export const mergeHeaders: (self: PlatformHeaders.Headers, that: PlatformHeaders.Headers) => PlatformHeaders.Headers =
  PlatformHeaders.merge
/** @see mergeHeaders */
export const headersFromInput: (input?: PlatformHeaders.Input) => PlatformHeaders.Headers = PlatformHeaders.fromInput

/** A request's URL parameters (Effect 4's `UrlParams` object). */
export type UrlParams = UrlParams_.UrlParams

/** No URL parameters. */
export const emptyUrlParams: UrlParams = UrlParams_.empty

/** The URL parameters of `pairs`. */
export const urlParams = (pairs: ReadonlyArray<readonly [string, string]>): UrlParams => UrlParams_.make(pairs)

/** Whether `params` holds any parameter. */
export const hasUrlParams = (params: UrlParams): boolean => params.params.length > 0

/** `request` with the JSON body `body`, encoded at once (Effect 4's `bodyJsonUnsafe`). */
export const bodyJsonUnsafe = (
  request: HttpClientRequest_.HttpClientRequest,
  body: unknown
): HttpClientRequest_.HttpClientRequest => HttpClientRequest_.bodyJsonUnsafe(request, body)

/** A duration as the options take it (Effect 4's `Duration.Input`). */
export type DurationInput = Duration.Input

/** Runs `f` with the running fiber (Effect 4's `Effect.withFiber`). */
export const withFiber = <A, E, R>(
  f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiber(f) as Effect.Effect<A, E, R>

/** The fiber's context. */
export const contextOf = (fiber: RuntimeFiber<unknown, unknown>): Context.Context<never> => fiber.context

/** Sets the fiber's context, synchronously; it is seen by the fiber's next step. */
export const setContext = (fiber: RuntimeFiber<unknown, unknown>, context: Context.Context<never>): void =>
  fiber.setContext(context)

/** The fiber's clock (a reference on Effect 4). */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock => fiber.getRef(Clock.Clock)

/** The fiber's deadline, if any. */
export const currentDeadline = (fiber: RuntimeFiber<unknown, unknown>): Option.Option<Deadline.Deadline> =>
  fiber.getRef(Deadline.CurrentDeadline)

/**
 * `context` with the deadline and the priority (Effect 4: one overlay each,
 * no copy; under Effect 4's eight overlays, the router's two included).
 */
export const withDeadlineAndPriority = (
  context: Context.Context<never>,
  deadline: Deadline.Deadline,
  priority: Priority.Priority
): Context.Context<never> =>
  Context.add(
    Context.add(context, Deadline.CurrentDeadline, Option.some(deadline)),
    Priority.CurrentPriority,
    Option.some(priority)
  )

/** The server request in `context`, if any. */
export const serverRequestOf = (context: Context.Context<never>): HttpServerRequest_.HttpServerRequest | undefined =>
  Context.getOrUndefined(context, HttpServerRequest_.HttpServerRequest)

/** The parent span in `context`, if any. */
export const parentSpanOf = (context: Context.Context<never>): Tracer.AnySpan | undefined =>
  Context.getOrUndefined(context, Tracer.ParentSpan)

/**
 * The path template of the route the router matched, if it is still in
 * `context` (Effect 4's router leaves its `RouteContext` in the fiber's
 * context until the request ends).
 */
export const matchedRoute = (context: Context.Context<never>): string | undefined =>
  Context.getOrUndefined(context, HttpRouter.RouteContext)?.route.path

/**
 * `f` run uninterruptibly, with what it restores interruptible (Effect 4's
 * `uninterruptibleMask` takes no step more when the fiber runs
 * uninterruptibly already, as a request within a server does).
 */
export const uninterruptibleMask = <A, E, R>(
  _fiber: RuntimeFiber<unknown, unknown>,
  f: (restore: <A2, E2, R2>(self: Effect.Effect<A2, E2, R2>) => Effect.Effect<A2, E2, R2>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.uninterruptibleMask(f)

/** A handler of the answer, run before it is written. */
export type PreResponseHandler = HttpEffect.PreResponseHandler

/** Appends `handler` to the answer's pre-response handlers (an effect). */
export const appendPreResponseHandler = (handler: PreResponseHandler): Effect.Effect<void> =>
  HttpEffect.appendPreResponseHandler(handler) as Effect.Effect<void>

/** Appends `handler` to the answer's pre-response handlers of the fiber, synchronously. */
export const appendPreResponseHandlerUnsafe = (
  fiber: RuntimeFiber<unknown, unknown>,
  handler: PreResponseHandler
): void => HttpEffect.appendPreResponseHandlerUnsafe(fiber.context, handler)

/** `headers` without the headers `names`. */
export const removeHeaders = (
  headers: PlatformHeaders.Headers,
  names: ReadonlyArray<string>
): PlatformHeaders.Headers => PlatformHeaders.removeMany(headers, names)

/** Whether the caller went away before the answer (Effect 4: an interruption annotated `ClientAbort`). */
export const clientAborted = (_fiber: RuntimeFiber<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) &&
  exit.cause.reasons.some((reason) =>
    Cause.isInterruptReason(reason) && reason.annotations.has(HttpServerError.ClientAbort.key)
  )

/** Whether `cause` holds the router's `RouteNotFound`. */
export const isRouteNotFound = <E>(cause: Cause.Cause<E>): boolean =>
  cause.reasons.some((reason) =>
    Cause.isFailReason(reason) && HttpServerError.isHttpServerError(reason.error) &&
    reason.error.reason._tag === "RouteNotFound"
  )

/** Updates `metric` with `value` at once, with the fiber's metric attributes (what `Metric.update` does, in no step). */
export const updateMetricUnsafe = (
  metric: Histogram,
  value: number,
  fiber: RuntimeFiber<unknown, unknown>
): void => metric.updateUnsafe(value, fiber.context)

/** The answer the server makes of a failure `cause`. */
export const causeResponse: <E>(
  cause: Cause.Cause<E>
) => Effect.Effect<readonly [HttpServerResponse_.HttpServerResponse, Cause.Cause<E>]> = HttpServerError.causeResponse
