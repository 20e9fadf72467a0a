/**
 * The Effect 4 kit of the shared platform tests (packages/platform/test/shared): what they
 * need from `effect` and `effect/http`, under names that mean the same on both lines.
 * packages/platform/test/line.ts is its Effect 3 twin.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import { it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Metric, Option, Tracer } from "effect"
import type { Fiber, Scope } from "effect"
import {
  FetchHttpClient,
  Headers,
  HttpClient,
  HttpClientError,
  HttpClientRequest,
  HttpClientResponse,
  HttpRouter,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import type * as UrlParams from "effect/http/UrlParams"
import type {
  HistogramValue,
  HttpErrorView,
  ServedRequest
} from "../../../packages/platform/test/shared/support/kit.js"
import type * as ServerMiddleware from "../src/ServerMiddleware.js"
import { serve as serveWithMiddleware } from "./support/line.js"

export { afterAll, assert, beforeAll, describe, expect, expectTypeOf, it } from "@effect/vitest"
export { Duration, Exit } from "effect"
export { HttpClientRequest } from "effect/http"
export { refused } from "../../core/test/support/refused.js"
export { TooManyRedirectsError } from "../src/ResilientHttpClient.js"

/** Which line runs the test. */
export const line = 4 as 3 | 4

/** The key/value pairs of URL parameters. */
export const urlPairs = (params: UrlParams.UrlParams): ReadonlyArray<readonly [string, unknown]> => params.params

const request = HttpClientRequest.get("http://127.0.0.1/x")

/** A successful attempt: a response with `status` and `headers`. */
export const responseExit = (status: number, headers?: Record<string, string>) =>
  Exit.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status, headers: headers ?? {} })))

/** A failed attempt: a transport error (`HttpClientError` with reason `TransportError`). */
export const transportErrorExit = () =>
  Exit.fail(new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request }) }))

/** An interrupted attempt. */
export const interruptExit = () => Exit.interrupt()

export { Deferred, Effect, Fiber } from "effect"
export { TestClock } from "effect/testing"

/** Forks `effect` as a child of the current fiber, started at once. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.forkChild(effect, { startImmediately: true })

/** The value of the series of `metric` with the labels `tags`. */
export const histogram = (
  metric: Metric.Histogram<number>,
  tags: Record<string, string>
): Effect.Effect<HistogramValue> => Metric.value(Metric.withAttributes(metric, tags))

/** The count of the series of `metric` with the labels `tags`. */
export const counter = (metric: Metric.Counter<number>, tags: Record<string, string>): Effect.Effect<number> =>
  Effect.map(Metric.value(Metric.withAttributes(metric, tags)), (state) => state.count)

/** undici as the `HttpClient` under test. */
export { layerUndici as undici } from "@effect/platform-node/NodeHttpClient"

/** The typed failure of `exit` (fails the test on a success or a failure without one). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.findErrorOption(exit.cause)
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
    HttpRouter.add(
      "*",
      "/",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        return HttpServerResponse.text(yield* handler({ headers: request.headers, body: request.text }))
      })
    ),
    options
  )

export { Layer, Option, Ref } from "effect"
export { HttpClient, HttpServerResponse } from "effect/http"

/** What a duration may be given as. */
export type DurationInput = import("effect").Duration.Input

/** The error an invalid option throws (`IllegalArgumentError`). */
export const IllegalArgument = Cause.IllegalArgumentError

/** What the platform kits share, written once: the harness, `withScriptedClient` and the views. */
export * from "../../../packages/platform/test/shared/support/kit.js"

/** A live test with a scope (`it.scopedLive` on Effect 3, `it.live` on Effect 4). */
export const scopedLive: typeof it.live = it.live

/** The view of `error` if it is an `HttpClientError` (one class with a `reason` here), else undefined. */
export const httpErrorOf = (error: unknown): HttpErrorView | undefined => {
  if (HttpClientError.isHttpClientError(error)) {
    const reason = error.reason
    const response = "response" in reason ? reason.response as HttpClientResponse.HttpClientResponse : undefined
    return {
      side: response === undefined ? "request" : "response",
      reason: reason._tag.replace(/Error$/, ""),
      response,
      description: reason.description
    }
  }
  return undefined
}

/** The transports every client behaviour is checked on: undici, and fetch (the client sets `redirect: "manual"`). */
export const transports: ReadonlyArray<{ readonly name: string; readonly layer: Layer.Layer<HttpClient.HttpClient> }> =
  [
    { name: "undici", layer: NodeHttpClient.layerUndici },
    { name: "fetch", layer: FetchHttpClient.layer }
  ]

/** Runs `effect` with `names` as the headers Effect redacts (`Headers.CurrentRedactedNames`). */
export const withRedactedNames =
  (names: ReadonlyArray<string | RegExp>) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, Headers.CurrentRedactedNames, names)

// ---- tests lane: what the platform tests moved to test/shared need (issue 19, item 3) ----

/**
 * A runner of a server app in-process (no socket), in the current context (TestClock included):
 * the app's response to the web `request`.
 */
export const inProcess: Effect.Effect<
  <E>(
    app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, HttpServerRequest.HttpServerRequest>,
    request: Request
  ) => Promise<HttpServerResponse.HttpServerResponse>
> = Effect.map(
  Effect.context<never>(),
  (context) => (app, request) =>
    Effect.runPromiseWith(context)(
      Effect.provideService(app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request))
    )
)

/** Every series of the metric named `name`: its labels and its count (counters and histograms). */
export const metricSeries = (
  name: string
): Effect.Effect<ReadonlyArray<{ readonly tags: Readonly<Record<string, string>>; readonly count: number }>> =>
  Effect.map(Metric.snapshot, (snapshots) =>
    snapshots.filter((snapshot) => snapshot.id === name).map((snapshot) => ({
      tags: snapshot.attributes ?? {},
      count: (snapshot.state as { readonly count?: number }).count ?? 0
    })))

/**
 * The "Caching DNS lookups" recipe of docs/client.md, on Effect 4: undici's `interceptors.dns`
 * on the dispatcher `NodeHttpClient` sends through, as the `HttpClient` layer.
 */
export const dnsCachingHttpClient = (
  options: Parameters<typeof Undici.interceptors.dns>[0]
): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciNoDispatcher.pipe(
    Layer.provide(
      Layer.effect(
        NodeHttpClient.Dispatcher,
        Effect.acquireRelease(
          Effect.sync(() => new Undici.Agent().compose(Undici.interceptors.dns(options))),
          (dispatcher) => Effect.promise(() => dispatcher.destroy())
        )
      )
    )
  )

export { Schema } from "effect"
export { HttpClientResponse } from "effect/http"

/** The exit of `fiber` if it is done, else undefined (`fiber.pollUnsafe()`). */
export const pollNow = <A, E>(fiber: Fiber.Fiber<A, E>): Exit.Exit<A, E> | undefined => fiber.pollUnsafe()

export { Stream } from "effect"

/** The URL `request` goes to once its URL is `url` (its query and hash added); undefined when invalid. */
export const resolveUrl = (request: HttpClientRequest.HttpClientRequest, url: string): URL | undefined =>
  Option.getOrUndefined(HttpClientRequest.toUrl(HttpClientRequest.setUrl(request, url)))

// ---- rhc-tests lane: the ResilientHttpClient tests moved to test/shared (issue 19, item 3) ----

export { HttpServerRequest } from "effect/http"

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
  const tracer = Tracer.make({
    span: (options) => {
      const span = Tracer.nativeTracer.span(options)
      const attributes = new Map<string, unknown>()
      const attribute = span.attribute.bind(span)
      span.attribute = (key, value) => {
        attributes.set(key, value)
        attribute(key, value)
      }
      spans.push({
        name: options.name,
        id: span.spanId,
        parent: Option.getOrUndefined(span.parent)?.spanId,
        attributes
      })
      return span
    }
  })
  return { spans, traced: Effect.withTracer(tracer) }
}

/** The name Effect gives the span of an HTTP client request (`http.client GET` on Effect 3, `GET` on Effect 4). */
export const httpClientSpanName = (method: string): string => method

export { Redacted } from "effect"
