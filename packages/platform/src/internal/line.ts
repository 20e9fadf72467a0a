/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 3 line's (`@effect/platform`);
 * effect4/platform/src/internal/line.ts is its Effect 4 twin (`effect/http`),
 * with the same exports.
 *
 * @internal
 */
import { Deadline, Priority } from "@aio-request/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as PlatformHeaders from "@effect/platform/Headers"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClientModule from "@effect/platform/HttpClient"
import type * as HttpClient_ from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequestModule from "@effect/platform/HttpClientRequest"
import * as HttpClientRequest_ from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse_ from "@effect/platform/HttpClientResponse"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest_ from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse_ from "@effect/platform/HttpServerResponse"
import * as UrlParams_ from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as ClockModule from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as HashSet from "effect/HashSet"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Tracer from "effect/Tracer"

export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
export type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
export * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** The first typed failure of `cause`, if any (Effect 3's `Cause.failureOption`). */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.failureOption

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

/** Whether `cause` holds interruptions and nothing else (Effect 3's `Cause.isInterruptedOnly`). */
export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.isInterruptedOnly

/** A counter of numbers (Effect 3's `Metric.Metric.Counter<number>`). */
export type Counter = Metric.Metric.Counter<number>

/** `metric` with the labels `labels` (Effect 3's tags). */
export const withLabels = <M extends Counter>(metric: M, labels: Readonly<Record<string, string>>): M => {
  const tags: Array<MetricLabel.MetricLabel> = []
  for (const key in labels) tags.push(MetricLabel.make(key, labels[key]!))
  return Metric.taggedWithLabels(metric, tags) as M
}

/** The error of a request that could not be sent (Effect 3's `RequestError`). */
export type RequestError = HttpClientError.RequestError

/** A request that cannot be encoded, saying why (`RequestError`, reason `Encode`). */
export const encodeError = (request: HttpClientRequest_.HttpClientRequest, description: string): RequestError =>
  new HttpClientError.RequestError({ request, reason: "Encode", description })

/** A server's app: an effect answering the request in context (Effect 3's `HttpApp.Default`). */
export type App<E, R> = HttpApp.Default<E, R>

/** A running fiber (Effect 3's `Fiber.RuntimeFiber`). */
export type RuntimeFiber<A, E> = Fiber.RuntimeFiber<A, E>

/** Interrupts `fiber` without waiting for it. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId.none)

// --- client lane: the resilient client's request, outcome and telemetry glue ---

export * as HttpBody from "@effect/platform/HttpBody"
export * as HttpClient from "@effect/platform/HttpClient"
export type * as HttpClientError from "@effect/platform/HttpClientError"

/** Whether `error` is the caller's own request that could not be sent (`RequestError`, reason `Encode` or `InvalidUrl`). */
export const isRequestRefused = (error: { readonly _tag: string }): boolean =>
  error._tag === "RequestError" &&
  ((error as RequestError).reason === "Encode" || (error as RequestError).reason === "InvalidUrl")

/** `error` as the kernel's `errorStatus` reads it (Effect 3's `ResponseError` carries its response itself). */
export const statusInput = <E extends { readonly _tag: string }>(error: E): E => error

/**
 * `error` with `description` and `url` when it is a `RequestError` (`InvalidUrl`)
 * without a description; `undefined` otherwise.
 */
export const describeInvalidUrl = (
  error: { readonly _tag: string },
  url: string,
  description: string
): RequestError | undefined => {
  if (error._tag !== "RequestError") return undefined
  const refused = error as RequestError
  if (refused.reason !== "InvalidUrl" || refused.description !== undefined) return undefined
  return new HttpClientError.RequestError({
    request: HttpClientRequestModule.setUrl(refused.request, url),
    reason: "InvalidUrl",
    cause: refused.cause,
    description
  })
}

/** A transport error carrying `cause`, described by `description` (`RequestError`, reason `Transport`). */
export const transportError = (
  request: HttpClientRequest_.HttpClientRequest,
  cause: unknown,
  description: string
): RequestError => new HttpClientError.RequestError({ request, reason: "Transport", cause, description })

/** Whether `u` is an error of the `HttpClient` itself. */
export const isHttpClientError = (u: unknown): u is HttpClientError.HttpClientError =>
  HttpClientError.isHttpClientError(u)

/** The `HttpClient` in context, as an effect. */
export const httpClient: Effect.Effect<HttpClient_.HttpClient, never, HttpClient_.HttpClient> =
  HttpClientModule.HttpClient

/**
 * `request` with exactly the headers `headers` (lower-case names, not copied:
 * the caller gives a fresh record) and, when given, the URL `url`.
 */
export const withHeaders = (
  request: HttpClientRequest_.HttpClientRequest,
  headers: Record<string, string>,
  url?: string | undefined
): HttpClientRequest_.HttpClientRequest => {
  let result = HttpClientRequestModule.make(request.method)(url ?? request.url)
  result = HttpClientRequestModule.setHeaders(result, PlatformHeaders.unsafeFromRecord(headers))
  if (request.body._tag !== "Empty") result = HttpClientRequestModule.setBody(result, request.body)
  if (request.urlParams.length > 0) result = HttpClientRequestModule.setUrlParams(result, request.urlParams)
  if (request.hash._tag === "Some") result = HttpClientRequestModule.setHash(result, request.hash.value)
  return result
}

/** Runs `f` with the current fiber (Effect 3's `Effect.withFiberRuntime`). */
export const withFiber = <A, E, R>(
  f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiberRuntime<A, E, R>((fiber) => f(fiber))

/** The value of `reference` in `fiber`'s context (its default when unset). */
export const getRef = <A>(fiber: RuntimeFiber<unknown, unknown>, reference: Context.Reference<any, A>): A =>
  Context.get(fiber.currentContext, reference)

/** The clock of `fiber`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock =>
  Context.get(fiber.currentDefaultServices as Context.Context<Clock.Clock>, ClockModule.Clock)

/** What a metric update reads from the caller, read once per request (Effect 3's ambient metric labels). */
export type MetricContext = ReadonlyArray<MetricLabel.MetricLabel>

/** `fiber`'s `MetricContext` (Effect 3's `FiberRef.currentMetricLabels`). */
export const metricContext = (fiber: RuntimeFiber<unknown, unknown>): MetricContext =>
  fiber.getFiberRef(FiberRef.currentMetricLabels)

/** Updates `metric` with `value`, with the caller's `MetricContext`. */
export const updateUnsafe = <In>(metric: Metric.Metric<any, In, any>, value: In, context: MetricContext): void =>
  metric.unsafeUpdate(value, context)

const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** Whether spans made in `fiber` can be seen: tracing is enabled and the tracer is not Effect's built-in one. */
export const isTraced = (fiber: RuntimeFiber<unknown, unknown>): boolean =>
  fiber.currentTracer !== nativeTracer && fiber.getFiberRef(FiberRef.currentTracerEnabled)

/** A span named `name` with `attributes`, no stack trace captured (a child of the current span). */
export const makeSpan = (name: string, attributes: Record<string, unknown>): Effect.Effect<Tracer.Span> =>
  Effect.makeSpan(name, { attributes, captureStackTrace: false })

/** The request, cause and description of a transport error (`RequestError`, reason `Transport`); `undefined` for any other. */
export const transportOf = (
  error: HttpClientError.HttpClientError
):
  | {
    readonly request: HttpClientRequest_.HttpClientRequest
    readonly cause?: unknown
    readonly description?: string | undefined
  }
  | undefined => error._tag === "RequestError" && error.reason === "Transport" ? error : undefined

/** Recovers from every typed failure of `self` with `f` (Effect 3's `Effect.catchAll`). */
export const catchAll: <A, E, R, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (error: E) => Effect.Effect<A2, E2, R2>
) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAll

/** Forks the reader of a released response (Effect 3: a child of the releasing fiber). */
export const forkReader = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<RuntimeFiber<A, E>> => Effect.fork(effect)

/** The URL `request` is sent to (URL parameters and hash included); `undefined` when it does not parse. */
export const urlOf = (request: HttpClientRequest_.HttpClientRequest): URL | undefined => {
  const result = UrlParams_.makeUrl(request.url, request.urlParams, request.hash)
  return result._tag === "Right" ? result.right : undefined
}

const requestInitKey = FetchHttpClient.RequestInit.key

/** The `FetchHttpClient.RequestInit` in `fiber`'s context, if any. */
export const requestInit = (fiber: RuntimeFiber<unknown, unknown>): globalThis.RequestInit | undefined =>
  fiber.currentContext.unsafeMap.get(requestInitKey) as globalThis.RequestInit | undefined

/** Runs `effect` with `init` as its `FetchHttpClient.RequestInit`. */
export const withRequestInit = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  init: globalThis.RequestInit
): Effect.Effect<A, E, R> =>
  Effect.locallyWith(
    effect,
    FiberRef.currentContext,
    (current) => Context.add(current, FetchHttpClient.RequestInit, init)
  )

/** The header names `fiber` redacts (Effect 3's `Headers.currentRedactedNames`). */
export const redactedNames = (fiber: RuntimeFiber<unknown, unknown>): ReadonlyArray<string | RegExp> =>
  fiber.getFiberRef(PlatformHeaders.currentRedactedNames)

/** What a duration option accepts (Effect 3's `Duration.DurationInput`). */
export type DurationInput = Duration.DurationInput

// --- server lane: the metrics, the server middleware ---

/** A histogram of numbers (Effect 3's `Metric.Metric.Histogram<number>`). */
export type Histogram = Metric.Metric.Histogram<number>

/** A histogram `name` of the bucket bounds `buckets` (Effect 3's positional `Metric.histogram`). */
export const histogram = (name: string, buckets: ReadonlyArray<number>, description: string): Histogram =>
  Metric.histogram(name, MetricBoundaries.fromIterable(buckets), description)

/** `metric` with the labels `labels` (Effect 3's tags): a histogram's `withLabels`. */
export const withHistogramLabels = (metric: Histogram, labels: Readonly<Record<string, string>>): Histogram => {
  const tags: Array<MetricLabel.MetricLabel> = []
  for (const key in labels) tags.push(MetricLabel.make(key, labels[key]!))
  return Metric.taggedWithLabels(metric, tags)
}

/** The headers of a record whose names are lower case already (Effect 3's `Headers.unsafeFromRecord`). */
export const headersFromRecordUnsafe: (input: Readonly<Record<string, string>>) => PlatformHeaders.Headers =
  PlatformHeaders.unsafeFromRecord

/** `Headers.merge` and `Headers.fromInput`, where the line keeps them. */
export const mergeHeaders: (self: PlatformHeaders.Headers, that: PlatformHeaders.Headers) => PlatformHeaders.Headers =
  PlatformHeaders.merge
/** @see mergeHeaders */
export const headersFromInput: (input?: PlatformHeaders.Input) => PlatformHeaders.Headers = PlatformHeaders.fromInput

/** A request's URL parameters (Effect 3's are an array of pairs). */
export type UrlParams = UrlParams_.UrlParams

/** No URL parameters. */
export const emptyUrlParams: UrlParams = UrlParams_.empty

/** The URL parameters of `pairs`. */
export const urlParams = (pairs: ReadonlyArray<readonly [string, string]>): UrlParams => pairs

/** Whether `params` holds any parameter. */
export const hasUrlParams = (params: UrlParams): boolean => params.length > 0

/** `request` with the JSON body `body`, encoded at once (Effect 3's `bodyUnsafeJson`). */
export const bodyJsonUnsafe = (
  request: HttpClientRequest_.HttpClientRequest,
  body: unknown
): HttpClientRequest_.HttpClientRequest => HttpClientRequest_.bodyUnsafeJson(request, body)

/** The fiber's context (Effect 3's `FiberRef.currentContext`). */
export const contextOf = (fiber: RuntimeFiber<unknown, unknown>): Context.Context<never> => fiber.currentContext

/**
 * What Effect 3's running fiber has beyond its `RuntimeFiber` interface
 * (`FiberRuntime`): what `FiberRef.set` and `withFiberRuntime`'s status use.
 */
interface FiberRuntime {
  setFiberRef<A>(self: FiberRef.FiberRef<A>, value: A): void
  readonly currentRuntimeFlags: RuntimeFlags.RuntimeFlags
}

const runtimeOf = (fiber: RuntimeFiber<unknown, unknown>): FiberRuntime => fiber as unknown as FiberRuntime

/** Sets the fiber's context, synchronously (what `FiberRef.set` does, in no step); seen by the fiber's next step. */
export const setContext = (fiber: RuntimeFiber<unknown, unknown>, context: Context.Context<never>): void =>
  runtimeOf(fiber).setFiberRef(FiberRef.currentContext, context)

/** The fiber's deadline, if any. */
export const currentDeadline = (fiber: RuntimeFiber<unknown, unknown>): Option.Option<Deadline.Deadline> =>
  Context.get(fiber.currentContext, Deadline.CurrentDeadline)

/**
 * `context` with the deadline and the priority (Effect 3: one copy of the
 * context's map for both, not one per service).
 */
export const withDeadlineAndPriority = (
  context: Context.Context<never>,
  deadline: Deadline.Deadline,
  priority: Priority.Priority
): Context.Context<never> => {
  const map = new Map(context.unsafeMap)
  map.set(Deadline.CurrentDeadline.key, Option.some(deadline))
  map.set(Priority.CurrentPriority.key, Option.some(priority))
  return Context.unsafeMake(map)
}

/** The server request in `context`, if any. */
export const serverRequestOf = (context: Context.Context<never>): HttpServerRequest_.HttpServerRequest | undefined =>
  Context.getOrElse(context, HttpServerRequest_.HttpServerRequest, () => undefined)

/** The parent span in `context`, if any. */
export const parentSpanOf = (context: Context.Context<never>): Tracer.AnySpan | undefined =>
  Context.getOrElse(context, Tracer.ParentSpan, () => undefined)

/**
 * The path template of the route the router matched, if it is still in
 * `context` (Effect 3's router provides its `RouteContext` to the handler
 * only: the route is known through `routeTimeout` or the span).
 */
export const matchedRoute = (context: Context.Context<never>): string | undefined => {
  const route = Context.getOrElse(context, HttpRouter.RouteContext, () => undefined)
  return route === undefined ? undefined : route.route.path
}

/**
 * `f` run uninterruptibly, with what it restores interruptible (no step when
 * the fiber runs uninterruptibly already, as a request within a server does).
 */
export const uninterruptibleMask = <A, E, R>(
  fiber: RuntimeFiber<unknown, unknown>,
  f: (restore: <A2, E2, R2>(self: Effect.Effect<A2, E2, R2>) => Effect.Effect<A2, E2, R2>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  RuntimeFlags.interruption(runtimeOf(fiber).currentRuntimeFlags) ? Effect.uninterruptibleMask(f) : f(identity)

/** A handler of the answer, run before it is written. */
export type PreResponseHandler = HttpApp.PreResponseHandler

/** Appends `handler` to the answer's pre-response handlers (an effect). */
export const appendPreResponseHandler: (handler: PreResponseHandler) => Effect.Effect<void> =
  HttpApp.appendPreResponseHandler

/** Appends `handler` to the answer's pre-response handlers of the fiber, synchronously. */
export const appendPreResponseHandlerUnsafe = (
  fiber: RuntimeFiber<unknown, unknown>,
  handler: PreResponseHandler
): void => {
  const current = fiber.getFiberRef(HttpApp.currentPreResponseHandlers)
  runtimeOf(fiber).setFiberRef(
    HttpApp.currentPreResponseHandlers,
    Option.some(
      current._tag === "None"
        ? handler
        : (request: HttpServerRequest_.HttpServerRequest, response: HttpServerResponse_.HttpServerResponse) =>
          Effect.flatMap(current.value(request, response), (response) => handler(request, response))
    )
  )
}

/** `headers` without the headers `names`. */
export const removeHeaders = (
  headers: PlatformHeaders.Headers,
  names: ReadonlyArray<string>
): PlatformHeaders.Headers => PlatformHeaders.remove(headers, names)

/** Whether the caller went away before the answer (Effect 3: the fiber was interrupted by the platform's abort). */
export const clientAborted = (fiber: RuntimeFiber<unknown, unknown>, _exit: Exit.Exit<unknown, unknown>): boolean => {
  const interrupted = fiber.getFiberRef(FiberRef.interruptedCause)
  return !Cause.isEmptyType(interrupted) &&
    HashSet.some(Cause.interruptors(interrupted), (id) => id === HttpServerError.clientAbortFiberId)
}

/** Whether `cause` holds the router's `RouteNotFound`. */
export const isRouteNotFound = <E>(cause: Cause.Cause<E>): boolean =>
  Chunk.some(Cause.failures(cause), Predicate.isTagged("RouteNotFound"))

/** Updates `metric` with `value` at once, with the fiber's metric labels (what `Metric.update` does, in no step). */
export const updateMetricUnsafe = (
  metric: Histogram,
  value: number,
  fiber: RuntimeFiber<unknown, unknown>
): void => metric.unsafeUpdate(value, fiber.getFiberRef(FiberRef.currentMetricLabels))

/** The answer the server makes of a failure `cause`. */
export const causeResponse: <E>(
  cause: Cause.Cause<E>
) => Effect.Effect<readonly [HttpServerResponse_.HttpServerResponse, Cause.Cause<E>]> = HttpServerError.causeResponse

// --- kits lane: the response whose body the deadline cuts (client/deadlineBody.ts) ---

/** A response whose body is not decoded, saying why (`ResponseError`, reason `Decode`). */
export const decodeError = (
  request: HttpClientRequest_.HttpClientRequest,
  response: HttpClientResponse_.HttpClientResponse,
  description: string
): HttpClientError.HttpClientError =>
  new HttpClientError.ResponseError({ request, response, reason: "Decode", description })
