/**
 * The Effect 3 server harness of the ServerMiddleware tests (one kit interface, twin of
 * effect4/platform/test/support/serverMiddlewareHarness.ts; the platform kit re-exports it): a
 * loopback server with the middleware around the whole app (`HttpServer.serveEffect`), routes,
 * an `HttpApi` served with the middleware in each place Effect 3 offers, a handler that reports
 * its deadline and priority, metric reads, and a plain undici GET.
 */
import { Deadline, Priority } from "@aio-request/core"
import type { HttpApp } from "@effect/platform"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpClient,
  HttpClientRequest,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Metric, Option, Schedule, Schema } from "effect"
import type { Scope } from "effect"
import { createServer, type Server } from "node:http"
import { HttpMetrics, ServerMiddleware } from "../../src/index.js"

/** Routes to serve (an `HttpRouter` on Effect 3, a router `Layer` on Effect 4). */
export type Routes<E, R> = HttpRouter.HttpRouter<E, R>

/** A GET route. */
export const route = <E, R>(
  path: `/${string}`,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  options?: { readonly uninterruptible?: boolean }
): Routes<E, R> => HttpRouter.empty.pipe(HttpRouter.get(path, handler, options))

/** A POST route. */
export const post = <E, R>(
  path: `/${string}`,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Routes<E, R> => HttpRouter.empty.pipe(HttpRouter.post(path, handler))

/** Several routes served together. */
export const routes = <E, R>(...all: ReadonlyArray<Routes<E, R>>): Routes<E, R> =>
  HttpRouter.concatAll(...all) as Routes<E, R>

const listen = (server: Server) =>
  Layer.build(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" })).pipe(Effect.orDie)

const urlOf = (context: Context.Context<HttpServer.HttpServer>) => {
  const address = Context.get(context, HttpServer.HttpServer).address
  return address._tag === "TcpAddress"
    ? Effect.succeed(`http://127.0.0.1:${address.port}`)
    : Effect.dieMessage("not a TCP server")
}

/**
 * Serves `routes` (or any `HttpApp`, Effect 3 only) behind the middleware on 127.0.0.1,
 * ephemeral port; the base URL.
 */
export const serve = <E, R>(
  routes: Routes<E, R> | HttpApp.Default<E, R>,
  options?: ServerMiddleware.Options,
  server: Server = createServer()
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* listen(server)
    yield* HttpServer.serveEffect(ServerMiddleware.make(options))(routes as HttpApp.Default<E, Scope.Scope>).pipe(
      Effect.provide(context)
    )
    return yield* urlOf(context)
  })

/** A live test with a scope (`it.scopedLive` on Effect 3, `it.live` on Effect 4). */
export const scopedLive: typeof it.scopedLive = it.scopedLive

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
  (body) => HttpServerResponse.unsafeJson(body)
)

/** A JSON response (`HttpServerResponse.unsafeJson` on Effect 3, `jsonUnsafe` on Effect 4). */
export const jsonResponse = (body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body)

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
    .add(
      HttpApiEndpoint.get("item", "/items/:id").setPath(Schema.Struct({ id: Schema.String })).addSuccess(SeenSchema)
    )
    .add(HttpApiEndpoint.get("slow", "/slow").addSuccess(SeenSchema))
    .add(HttpApiEndpoint.get("report", "/report").addSuccess(SeenSchema))
    .add(HttpApiEndpoint.get("never", "/never").addSuccess(SeenSchema))
)

/**
 * Where the middleware goes around an `HttpApi` on this line: around the whole app
 * (`HttpApiBuilder.serve(middleware)`) or as an API middleware (`HttpApiBuilder.middleware`).
 */
export const apiPlacements: ReadonlyArray<string> = ["serve", "api-middleware"]

/** Serves the test API with `handlers` on 127.0.0.1, the middleware at `placement`; the base URL. */
export const serveApi = (
  placement: string,
  handlers: ApiHandlers,
  options: ServerMiddleware.Options
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const groupLive = HttpApiBuilder.group(api, "items", (h) =>
      h
        .handle("item", handlers.item)
        .handle("slow", handlers.slow)
        .handle("report", handlers.report)
        .handle("never", handlers.never))
    const apiLive = HttpApiBuilder.api(api).pipe(Layer.provide(groupLive))
    const server = placement === "serve"
      ? HttpApiBuilder.serve(ServerMiddleware.make(options)).pipe(Layer.provide(apiLive))
      : HttpApiBuilder.serve().pipe(
        Layer.provide(HttpApiBuilder.middleware(ServerMiddleware.make(options))),
        Layer.provide(apiLive)
      )
    const context = yield* Layer.build(
      server.pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))
    ).pipe(Effect.orDie)
    return yield* urlOf(context)
  })

/** How many server requests were recorded with these labels. */
export const serverCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number }
): Effect.Effect<number> =>
  Metric.value(
    HttpMetrics.serverLatency.pipe(
      Metric.tagged("request_client", labels.client),
      Metric.tagged("request_method", labels.method),
      Metric.tagged("request_path", labels.path),
      Metric.tagged("response_status", String(labels.status))
    )
  ).pipe(Effect.map((state) => state.count))

/** Retries `effect` every `spaced` until it succeeds, at most `times` more times. */
export const retrySpaced = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  spaced: Duration.DurationInput,
  times: number
): Effect.Effect<A, E, R> =>
  Effect.retry(effect, Schedule.spaced(spaced).pipe(Schedule.intersect(Schedule.recurs(times))))

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
