/**
 * The Effect 3 kit of the shared platform tests (test/shared): what they need from `effect`
 * and `@effect/platform`, under names that mean the same on both lines.
 * effect4/platform/test/line.ts is its Effect 4 twin. A shared test imports `effect` and
 * `@effect/platform` only through a kit.
 */
import {
  Headers,
  HttpClient,
  HttpClientError,
  HttpClientRequest,
  HttpClientResponse,
  HttpRouter,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as UrlParamsModule from "@effect/platform/UrlParams"
import { it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, FiberId, Layer, Metric, Runtime, Tracer } from "effect"
import type { Fiber, Scope } from "effect"
import type * as ServerMiddleware from "../src/ServerMiddleware.js"
import type { HistogramValue, HttpErrorView, ServedRequest } from "./shared/support/kit.js"
import { serve as serveWithMiddleware } from "./support/line.js"

export { HttpClientRequest } from "@effect/platform"
export { afterAll, assert, beforeAll, describe, expect, expectTypeOf, it } from "@effect/vitest"
export { Duration, Exit } from "effect"
export { refused } from "../../core/test/support/refused.js"
export { TooManyRedirectsError } from "../src/ResilientHttpClient.js"

/** Which line runs the test. */
export const line = 3 as 3 | 4

/** The key/value pairs of URL parameters. */
export const urlPairs = (params: UrlParams.UrlParams): ReadonlyArray<readonly [string, unknown]> => params

const request = HttpClientRequest.get("http://127.0.0.1/x")

/** A successful attempt: a response with `status` and `headers`. */
export const responseExit = (status: number, headers?: Record<string, string>) =>
  Exit.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status, headers: headers ?? {} })))

/** A failed attempt: a transport error (`RequestError` with reason `Transport`). */
export const transportErrorExit = () => Exit.fail(new HttpClientError.RequestError({ request, reason: "Transport" }))

/** An interrupted attempt. */
export const interruptExit = () => Exit.interrupt(FiberId.none)

export { Deferred, Effect, Fiber, TestClock } from "effect"

/** Forks `effect` as a child of the current fiber. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.RuntimeFiber<A, E>, never, R> =>
  Effect.fork(effect)

/** The value of the series of `metric` with the labels `tags`. */
export const histogram = (
  metric: Metric.Metric.Histogram<number>,
  tags: Record<string, string>
): Effect.Effect<HistogramValue> =>
  Metric.value(Object.entries(tags).reduce((m, [key, value]) => Metric.tagged(m, key, value), metric))

/** The count of the series of `metric` with the labels `tags`. */
export const counter = (metric: Metric.Metric.Counter<number>, tags: Record<string, string>): Effect.Effect<number> =>
  Metric.value(Object.entries(tags).reduce((m, [key, value]) => Metric.tagged(m, key, value), metric)).pipe(
    Effect.map((state) => state.count)
  )

/** undici as the `HttpClient` under test. */
export { layerUndici as undici } from "@effect/platform-node/NodeHttpClient"

/** The typed failure of `exit` (fails the test on a success or a failure without one). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

/**
 * Serves on 127.0.0.1 (ephemeral port), behind `ServerMiddleware.make(options)`,
 * a route at `/` (any method) answering 200 with the text `handler` returns;
 * the base URL (no trailing slash).
 */
export const serveBehind = (
  options: ServerMiddleware.Options,
  handler: (request: ServedRequest) => Effect.Effect<string, unknown>
): Effect.Effect<string, never, Scope.Scope> =>
  serveWithMiddleware(
    HttpRouter.empty.pipe(HttpRouter.all(
      "/",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        return HttpServerResponse.text(yield* handler({ headers: request.headers, body: request.text }))
      })
    )),
    options
  )

export { HttpClient, HttpServerResponse } from "@effect/platform"
export { Layer, Option, Ref } from "effect"

/** What a duration may be given as. */
export type DurationInput = import("effect").Duration.DurationInput

/** The error an invalid option throws (`IllegalArgumentException`). */
export const IllegalArgument = Cause.IllegalArgumentException

/** What the platform kits share, written once: the harness, `withScriptedClient` and the views. */
export * from "./shared/support/kit.js"

/** A live test with a scope (`it.scopedLive` on Effect 3, `it.live` on Effect 4). */
export const scopedLive: typeof it.scopedLive = it.scopedLive

/** The view of `error` if it is an HTTP client error (`RequestError` or `ResponseError` here), else undefined. */
export const httpErrorOf = (error: unknown): HttpErrorView | undefined => {
  if (HttpClientError.isHttpClientError(error)) {
    return error._tag === "RequestError"
      ? { side: "request", reason: error.reason, response: undefined, description: error.description }
      : { side: "response", reason: error.reason, response: error.response, description: error.description }
  }
  return undefined
}

/** The transports every client behaviour is checked on: undici, and fetch (told `redirect: "manual"`). */
export { transports } from "./support/servers.js"

/** Runs `effect` with `names` as the headers Effect redacts (`Effect.locally(Headers.currentRedactedNames, …)`). */
export const withRedactedNames =
  (names: ReadonlyArray<string | RegExp>) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.locally(effect, Headers.currentRedactedNames, names)

// ---- tests lane: what the platform tests moved to test/shared need (issue 19, item 3) ----

/**
 * A runner of a server app in-process (no socket), in the current runtime (TestClock included):
 * the app's response to the web `request`.
 */
export const inProcess: Effect.Effect<
  <E>(
    app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, HttpServerRequest.HttpServerRequest>,
    request: Request
  ) => Promise<HttpServerResponse.HttpServerResponse>
> = Effect.map(
  Effect.runtime<never>(),
  (runtime) => (app, request) =>
    Runtime.runPromise(runtime)(
      Effect.provideService(app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request))
    )
)

/** Every series of the metric named `name`: its labels and its count (counters and histograms). */
export const metricSeries = (
  name: string
): Effect.Effect<ReadonlyArray<{ readonly tags: Readonly<Record<string, string>>; readonly count: number }>> =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.filter((pair) => pair.metricKey.name === name).map((pair) => ({
      tags: Object.fromEntries(pair.metricKey.tags.map((tag) => [tag.key, tag.value])),
      count: (pair.metricState as { readonly count?: number }).count ?? 0
    })))

/**
 * The "Caching DNS lookups" recipe of docs/client.md: undici's `interceptors.dns` on the
 * dispatcher `NodeHttpClient` sends through, as the `HttpClient` layer.
 */
export const dnsCachingHttpClient = (
  options: Parameters<typeof Undici.interceptors.dns>[0]
): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(
      Layer.scoped(
        NodeHttpClient.Dispatcher,
        Effect.acquireRelease(
          Effect.sync(() => new Undici.Agent().compose(Undici.interceptors.dns(options))),
          (dispatcher) => Effect.promise(() => dispatcher.destroy())
        )
      )
    )
  )

export { HttpClientResponse } from "@effect/platform"
export { Schema } from "effect"

/** The exit of `fiber` if it is done, else undefined (`fiber.unsafePoll()`). */
export const pollNow = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined =>
  fiber.unsafePoll() ?? undefined

export { Stream } from "effect"

/** The URL `request` goes to once its URL is `url` (its query and hash added); undefined when invalid. */
export const resolveUrl = (request: HttpClientRequest.HttpClientRequest, url: string): URL | undefined =>
  Either.getOrUndefined(UrlParamsModule.makeUrl(url, request.urlParams, request.hash))

// ---- rhc-tests lane: the ResilientHttpClient tests moved to test/shared (issue 19, item 3) ----

export { HttpServerRequest } from "@effect/platform"

/** A span the recording tracer saw: its name, its id, its parent's id and its attributes (live). */
export interface RecordedSpan {
  readonly name: string
  readonly id: string
  readonly parent: string | undefined
  readonly attributes: ReadonlyMap<string, unknown>
}

/** A tracer that records every span started under `traced`, in order, in `spans`. */
export const recordSpans = (): {
  readonly spans: ReadonlyArray<RecordedSpan>
  readonly traced: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
} => {
  const spans: Array<RecordedSpan> = []
  let next = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, _startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const spanId = `span-${++next}`
      spans.push({ name, id: spanId, parent: parent._tag === "Some" ? parent.value.spanId : undefined, attributes })
      return {
        _tag: "Span",
        name,
        spanId,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime: 0n },
        attributes,
        links,
        sampled: true,
        kind,
        end: () => {},
        attribute: (key, value) => attributes.set(key, value),
        event: () => {},
        addLinks: () => {}
      }
    },
    context: (f) => f()
  })
  return { spans, traced: Effect.withTracer(tracer) }
}

/** The name Effect gives the span of an HTTP client request (`http.client GET` on Effect 3, `GET` on Effect 4). */
export const httpClientSpanName = (method: string): string => `http.client ${method}`

export { Redacted } from "effect"
