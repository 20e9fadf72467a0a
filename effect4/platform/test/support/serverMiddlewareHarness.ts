/**
 * The Effect 4 server harness of the ServerMiddleware tests (one kit interface, twin of
 * packages/platform/test/support/serverMiddlewareHarness.ts; the platform kit re-exports it): a
 * loopback server with the middleware installed as global `HttpRouter` middleware, routes as
 * router layers, an `HttpApi` served by `HttpApiBuilder.layer` on the router, a handler that
 * reports its deadline and priority, metric reads, and a plain undici GET.
 */
import { Deadline, Priority } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Metric, Option, Schedule, Schema } from "effect"
import type { Scope } from "effect"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
import { createServer, type Server } from "node:http"
import { HttpMetrics, ServerMiddleware } from "../../src/index.js"

/** Routes to serve (an `HttpRouter` on Effect 3, a router `Layer` on Effect 4). */
export type Routes<E, R> = Layer.Layer<never, E, R>

/** A GET route. */
export const route = <E, R>(
  path: `/${string}`,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  options?: { readonly uninterruptible?: boolean }
) => HttpRouter.add("GET", path, handler, options)

/** A POST route. */
export const post = <E, R>(
  path: `/${string}`,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) => HttpRouter.add("POST", path, handler)

/** Several routes served together. */
export const routes = <E, R>(...all: ReadonlyArray<Layer.Layer<never, E, R>>): Layer.Layer<never, E, R> =>
  Layer.mergeAll(...(all as [Layer.Layer<never, E, R>]))

/** Serves `routes` behind the middleware (global router middleware) on 127.0.0.1, ephemeral port; the base URL. */
export const serve = <E, R>(
  routes: Layer.Layer<never, E, R>,
  options?: ServerMiddleware.Options,
  server: Server = createServer()
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const app = Layer.mergeAll(routes, HttpRouter.middleware(ServerMiddleware.make(options), { global: true }))
    const served = HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" }))
    )
    const context = yield* Layer.build(served as Layer.Layer<HttpServer.HttpServer, unknown>).pipe(Effect.orDie)
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "InetAddressV4" && address._tag !== "InetAddressV6") {
      return yield* Effect.die("not a TCP server")
    }
    return `http://127.0.0.1:${address.port}`
  })

/** A live test with a scope (`it.scopedLive` on Effect 3, `it.live` on Effect 4). */
export const scopedLive: typeof it.live = it.live

/** What a handler saw: the time left before its deadline, and its priority. */
export interface Seen {
  readonly remainingMillis: number | null
  readonly priority: string | null
}

/** `CurrentDeadline`'s time left and `CurrentPriority`, as a handler sees them. */
export const seenBody: Effect.Effect<Seen> = Effect.gen(function*() {
  const deadline = yield* Deadline.CurrentDeadline
  const priority = yield* Priority.CurrentPriority
  const remainingMillis = Option.isSome(deadline)
    ? Duration.toMillis(yield* Deadline.remaining(deadline.value))
    : null
  return { remainingMillis, priority: Option.getOrNull(priority) }
})

/** A handler body reporting `CurrentDeadline` and `CurrentPriority` as JSON. */
export const seen: Effect.Effect<HttpServerResponse.HttpServerResponse> = Effect.map(
  seenBody,
  (body) => HttpServerResponse.jsonUnsafe(body)
)

/** A JSON response (`HttpServerResponse.unsafeJson` on Effect 3, `jsonUnsafe` on Effect 4). */
export const jsonResponse = (body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(body)

/** The handlers of the test API: `GET /items/:id`, `/slow`, `/report` and `/never`, each answering a `Seen`. */
export interface ApiHandlers {
  readonly item: () => Effect.Effect<Seen>
  readonly slow: () => Effect.Effect<Seen>
  readonly report: () => Effect.Effect<Seen>
  readonly never: () => Effect.Effect<Seen>
}

const SeenSchema = Schema.Struct({
  remainingMillis: Schema.NullOr(Schema.Number),
  priority: Schema.NullOr(Schema.String)
})

const api = HttpApi.make("api").add(
  HttpApiGroup.make("items")
    .add(HttpApiEndpoint.get("item", "/items/:id", { params: { id: Schema.String }, success: SeenSchema }))
    .add(HttpApiEndpoint.get("slow", "/slow", { success: SeenSchema }))
    .add(HttpApiEndpoint.get("report", "/report", { success: SeenSchema }))
    .add(HttpApiEndpoint.get("never", "/never", { success: SeenSchema }))
)

/**
 * Where the middleware goes around an `HttpApi` on this line: global router middleware
 * (Effect 4 has no `HttpApiBuilder.serve` or `HttpApiBuilder.middleware`).
 */
export const apiPlacements: ReadonlyArray<string> = ["router-middleware"]

/** Serves the test API with `handlers` on 127.0.0.1, the middleware at `placement`; the base URL. */
export const serveApi = (
  _placement: string,
  handlers: ApiHandlers,
  options: ServerMiddleware.Options
): Effect.Effect<string, never, Scope.Scope> => {
  const groupLive = HttpApiBuilder.group(api, "items", (h) =>
    h
      .handle("item", handlers.item)
      .handle("slow", handlers.slow)
      .handle("report", handlers.report)
      .handle("never", handlers.never))
  return serve(HttpApiBuilder.layer(api).pipe(Layer.provide(groupLive)), options)
}

/** How many server requests were recorded with these labels. */
export const serverCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number }
): Effect.Effect<number> =>
  Metric.value(
    Metric.withAttributes(HttpMetrics.serverLatency, {
      request_client: labels.client,
      request_method: labels.method,
      request_path: labels.path,
      response_status: String(labels.status)
    })
  ).pipe(Effect.map((state) => state.count))

/** Retries `effect` every `spaced` until it succeeds, at most `times` more times. */
export const retrySpaced = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  spaced: Duration.Input,
  times: number
): Effect.Effect<A, E, R> => Effect.retry(effect, { schedule: Schedule.spaced(spaced), times })

/** Waits (live) until `serverCount(labels)` reaches `count`; fails after ~5 s. */
export const awaitServerCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  count: number
): Effect.Effect<number, string> =>
  retrySpaced(
    serverCount(labels).pipe(
      Effect.filterOrFail((n) => n >= count, () => `no ${count} requests recorded with ${JSON.stringify(labels)}`)
    ),
    "20 millis",
    250
  )

let clientCounter = 0
/** A client name no other test uses, so metric counts start at zero. */
export const uniqueClient = (prefix: string): string => `${prefix}-${process.pid}-${++clientCounter}`

/** A request (undici) with the given headers: status, headers and body text. */
export const send = (
  method: "GET" | "POST",
  url: string,
  headers: Record<string, string> = {}
): Effect.Effect<{ readonly status: number; readonly headers: Record<string, string>; readonly text: string }> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const request = (method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)).pipe(
      HttpClientRequest.setHeaders(headers)
    )
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: { ...response.headers }, text }
  }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici), Effect.orDie)

/** A plain GET (undici) with the given headers: status and body text. */
export const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(send("GET", url, headers), ({ status, text }) => ({ status, text }))
