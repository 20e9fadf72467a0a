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
import * as ClockModule from "effect/Clock"
import * as Context from "effect/Context"
import * as ContextModule from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as EffectModule from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as PlatformHeaders from "effect/http/Headers"
import * as HttpClientModule from "effect/http/HttpClient"
import type * as HttpClient_ from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequestModule from "effect/http/HttpClientRequest"
import * as HttpClientRequest_ from "effect/http/HttpClientRequest"
import type * as HttpClientResponse_ from "effect/http/HttpClientResponse"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest_ from "effect/http/HttpServerRequest"
import type * as HttpServerResponse_ from "effect/http/HttpServerResponse"
import * as Url from "effect/http/Url"
import * as UrlParams_ from "effect/http/UrlParams"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Option_ from "effect/Option"
import * as References from "effect/References"
import * as Result from "effect/Result"
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

// --- client lane: the resilient client's request, outcome and telemetry glue ---

export * as HttpBody from "effect/http/HttpBody"
export * as HttpClient from "effect/http/HttpClient"
export type * as HttpClientError from "effect/http/HttpClientError"

/** Whether `error` is the caller's own request that could not be sent (`HttpClientError`, reason `EncodeError` or `InvalidUrlError`). */
export const isRequestRefused = (error: { readonly _tag: string }): boolean => {
  if (error._tag !== "HttpClientError") return false
  const reason = (error as HttpClientError.HttpClientError).reason._tag
  return reason === "EncodeError" || reason === "InvalidUrlError"
}

/**
 * `error` as the kernel's `errorStatus` reads it: an `HttpClientError` that
 * carries a response reads as a `ResponseError` with it.
 */
export const statusInput = (
  error: { readonly _tag: string }
): { readonly _tag: string; readonly response?: { readonly status: number } } => {
  if (error._tag !== "HttpClientError") return error
  const response = ((error as HttpClientError.HttpClientError).reason as {
    readonly response?: { readonly status: number }
  }).response
  return response === undefined ? { _tag: error._tag } : { _tag: "ResponseError", response }
}

/**
 * `error` with `description` and `url` when it is an `HttpClientError`
 * (`InvalidUrlError`) without a description; `undefined` otherwise.
 */
export const describeInvalidUrl = (
  error: { readonly _tag: string },
  url: string,
  description: string
): RequestError | undefined => {
  if (error._tag !== "HttpClientError") return undefined
  const reason = (error as HttpClientError.HttpClientError).reason
  if (reason._tag !== "InvalidUrlError" || reason.description !== undefined) return undefined
  return new HttpClientError.HttpClientError({
    reason: new HttpClientError.InvalidUrlError({
      request: HttpClientRequestModule.setUrl(reason.request, url),
      cause: reason.cause,
      description
    })
  })
}

/** A transport error carrying `cause`, described by `description` (`HttpClientError`, reason `TransportError`). */
export const transportError = (
  request: HttpClientRequest_.HttpClientRequest,
  cause: unknown,
  description: string
): RequestError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause, description }) })

/** Whether `u` is an error of the `HttpClient` itself. */
export const isHttpClientError = (u: unknown): u is HttpClientError.HttpClientError =>
  HttpClientError.isHttpClientError(u)

/** The `HttpClient` in context, as an effect. */
export const httpClient: EffectModule.Effect<HttpClient_.HttpClient, never, HttpClient_.HttpClient> = EffectModule
  .service(HttpClientModule.HttpClient)

/**
 * `request` with exactly the headers `headers` (lower-case names, not copied:
 * the caller gives a fresh record) and, when given, the URL `url`.
 */
export const withHeaders = (
  request: HttpClientRequest_.HttpClientRequest,
  headers: Record<string, string>,
  url?: string | undefined
): HttpClientRequest_.HttpClientRequest =>
  HttpClientRequestModule.updateHeaders(
    url === undefined ? request : HttpClientRequestModule.setUrl(request, url),
    () => PlatformHeaders.fromRecordUnsafe(headers)
  )

/** Runs `f` with the current fiber (Effect 4's `Effect.withFiber`). */
export const withFiber = <A, E, R>(
  f: (fiber: RuntimeFiber<unknown, unknown>) => EffectModule.Effect<A, E, R>
): EffectModule.Effect<A, E, R> => EffectModule.withFiber<A, E, R>(f)

/** The value of `reference` in `fiber`'s context (its default when unset). */
export const getRef = <A>(fiber: RuntimeFiber<unknown, unknown>, reference: Context.Reference<A>): A =>
  fiber.getRef(reference)

/** The clock of `fiber`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock => fiber.getRef(ClockModule.Clock)

/** What a metric update reads from the caller, read once per request (Effect 4: the caller's context). */
export type MetricContext = Context.Context<never>

/** `fiber`'s `MetricContext` (Effect 4: its context, with the metric attributes and registry). */
export const metricContext = (fiber: RuntimeFiber<unknown, unknown>): MetricContext => fiber.context

/** Updates `metric` with `value`, with the caller's `MetricContext`. */
export const updateUnsafe = <In>(metric: Metric.Metric<In, any>, value: In, context: MetricContext): void =>
  metric.updateUnsafe(value, context)

/** Whether spans made in `fiber` can be seen: tracing is enabled and the tracer is not Effect's built-in one. */
export const isTraced = (fiber: RuntimeFiber<unknown, unknown>): boolean =>
  fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer && fiber.getRef(References.TracerEnabled)

/** A span named `name` with `attributes`, no stack trace captured (a child of the current span). */
export const makeSpan = (name: string, attributes: Record<string, unknown>): EffectModule.Effect<Tracer.Span> =>
  EffectModule.makeSpan(name, { attributes })

/** The request, cause and description of a transport error (reason `TransportError`); `undefined` for any other. */
export const transportOf = (
  error: HttpClientError.HttpClientError
):
  | {
    readonly request: HttpClientRequest_.HttpClientRequest
    readonly cause?: unknown
    readonly description?: string | undefined
  }
  | undefined => error.reason._tag === "TransportError" ? error.reason : undefined

/** Recovers from every typed failure of `self` with `f` (Effect 4's `Effect.catch`). */
export const catchAll: <A, E, R, A2, E2, R2>(
  self: EffectModule.Effect<A, E, R>,
  f: (error: E) => EffectModule.Effect<A2, E2, R2>
) => EffectModule.Effect<A | A2, E2, R | R2> = EffectModule.catch

/**
 * Forks the reader of a released response (Effect 4: detached, as releases run in finalizers, and
 * started at once, so that the read is under way, its abort in place, before it can be interrupted).
 */
export const forkReader = <A, E>(effect: EffectModule.Effect<A, E>): EffectModule.Effect<RuntimeFiber<A, E>> =>
  EffectModule.forkDetach(effect, { startImmediately: true })

/** The URL `request` is sent to (URL parameters and hash included); `undefined` when it does not parse. */
export const urlOf = (request: HttpClientRequest_.HttpClientRequest): URL | undefined => {
  const result = Url.make(request.url, request.urlParams, Option_.getOrUndefined(request.hash))
  return Result.isSuccess(result) ? result.success : undefined
}

/** The `FetchHttpClient.RequestInit` in `fiber`'s context, if any. */
export const requestInit = (fiber: RuntimeFiber<unknown, unknown>): globalThis.RequestInit | undefined =>
  ContextModule.getOrUndefined(fiber.context, FetchHttpClient.RequestInit)

/** Runs `effect` with `init` as its `FetchHttpClient.RequestInit`. */
export const withRequestInit = <A, E, R>(
  effect: EffectModule.Effect<A, E, R>,
  init: globalThis.RequestInit
): EffectModule.Effect<A, E, R> => EffectModule.provideService(effect, FetchHttpClient.RequestInit, init)

/** The header names `fiber` redacts (Effect 4's `Headers.CurrentRedactedNames`). */
export const redactedNames = (fiber: RuntimeFiber<unknown, unknown>): ReadonlyArray<string | RegExp> =>
  fiber.getRef(PlatformHeaders.CurrentRedactedNames)

/** What a duration option accepts (Effect 4's `Duration.Input`). */
export type DurationInput = Duration.Input

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

/** The fiber's context. */
export const contextOf = (fiber: RuntimeFiber<unknown, unknown>): Context.Context<never> => fiber.context

/** Sets the fiber's context, synchronously; it is seen by the fiber's next step. */
export const setContext = (fiber: RuntimeFiber<unknown, unknown>, context: Context.Context<never>): void =>
  fiber.setContext(context)

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

// --- kits lane: the response whose body the deadline cuts (client/deadlineBody.ts) ---

/** A response whose body is not decoded, saying why (`HttpClientError`, reason `DecodeError`). */
export const decodeError = (
  request: HttpClientRequest_.HttpClientRequest,
  response: HttpClientResponse_.HttpClientResponse,
  description: string
): HttpClientError.HttpClientError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.DecodeError({ request, response, description }) })
