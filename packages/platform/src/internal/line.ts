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
import * as PlatformHeaders from "@effect/platform/Headers"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest_ from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest_ from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse_ from "@effect/platform/HttpServerResponse"
import * as UrlParams_ from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
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

/** A duration as the options take it (Effect 3's `Duration.DurationInput`). */
export type DurationInput = Duration.DurationInput

/** Runs `f` with the running fiber (Effect 3's `Effect.withFiberRuntime`). */
export const withFiber = <A, E, R>(
  f: (fiber: RuntimeFiber<unknown, unknown>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiberRuntime((fiber) => f(fiber))

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

/** The fiber's clock (Effect 3's default services). */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock =>
  Context.get(fiber.currentDefaultServices, Clock.Clock)

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
