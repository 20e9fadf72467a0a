/**
 * The Effect 4 kit of the shared platform support (packages/platform/test/shared/support): what
 * the chaos server, the soak and the ServerMiddleware harness need from `effect` and
 * `effect/http`, under names that mean the same on both lines. No vitest import.
 * packages/platform/test/support/line.ts is its Effect 3 twin; the test kit (test/line.ts)
 * re-exports what the shared tests use of it.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Context, Duration, Effect, Layer, Metric, Option, Schema } from "effect"
import type { Fiber, Scope } from "effect"
import { FetchHttpClient, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import type { HttpClient } from "effect/http"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
import { createServer, type Server } from "node:http"
import type { ApiHandlers } from "../../../../packages/platform/test/shared/support/serverMiddlewareHarness.js"
import { ServerMiddleware } from "../../src/index.js"

export { Clock, Duration, Effect, Exit, Fiber, Layer, Option, Ref, Schedule, Schema } from "effect"
export type { Scope } from "effect"
export { HttpClient, HttpClientRequest, HttpServerResponse } from "effect/http"

/** Forks `effect` as a child of the current fiber, started at once. */
export const forkChild = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.forkChild(effect, { startImmediately: true })

/** Dies with an `Error` carrying `message`. */
export const dieMessage = (message: string): Effect.Effect<never> => Effect.die(new Error(message))

/** The typed failure in `cause`, if any (`Cause.findErrorOption`). */
export const findError: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.findErrorOption

/** `cause`, readable. */
export const prettyCause: <E>(cause: Cause.Cause<E>) => string = Cause.pretty

/** A duration from what a duration may be given as (`Duration.fromInputUnsafe`). */
export const toDuration: (input: Duration.Input) => Duration.Duration = Duration.fromInputUnsafe

/** What a duration may be given as. */
export type DurationInput = Duration.Input

/** How many values the series of the histogram `metric` with the labels `tags` has recorded. */
export const histogramCount = (metric: Metric.Histogram<number>, tags: Record<string, string>): Effect.Effect<number> =>
  Effect.map(Metric.value(Metric.withAttributes(metric, tags)), (state) => state.count)

/** The fibers an effect forks: `supervise` wraps the effect, `alive` counts those still running. */
export interface FiberTracker {
  readonly supervise: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly alive: Effect.Effect<number>
}

/**
 * A new `FiberTracker`. Effect 4 has no `Supervisor`: the fibers started under `supervise` report
 * their start and end to its `Metric.FiberRuntimeMetrics` service, which children inherit.
 */
export const trackFibers: Effect.Effect<FiberTracker> = Effect.sync(() => {
  let alive = 0
  const service: Metric.FiberRuntimeMetricsService = {
    recordFiberStart: () => {
      alive++
    },
    recordFiberEnd: () => {
      alive--
    }
  }
  return {
    supervise: (effect) => Effect.provideService(effect, Metric.FiberRuntimeMetrics, service),
    alive: Effect.sync(() => alive)
  }
})

/**
 * The three transports every fault is checked on, as a user provides them: undici, node:http
 * and fetch (plain `FetchHttpClient.layer`, which follows redirects itself unless the client
 * tells it not to).
 */
export const chaosTransports = [
  { name: "undici", layer: NodeHttpClient.layerUndici },
  { name: "node:http", layer: NodeHttpClient.layerNodeHttp },
  { name: "fetch", layer: FetchHttpClient.layer }
] as const satisfies ReadonlyArray<{ readonly name: string; readonly layer: Layer.Layer<HttpClient.HttpClient> }>

/** undici as the `HttpClient` under test. */
export const undici: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

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
export const routes = <E, R>(...all: ReadonlyArray<Routes<E, R>>): Routes<E, R> =>
  Layer.mergeAll(...(all as [Routes<E, R>]))

/** The path parameter `name` of the route being served. */
export const pathParam = (name: string): Effect.Effect<string | undefined, never, HttpRouter.RouteContext> =>
  Effect.map(HttpRouter.params, (params) => params[name])

/** Serves `routes` behind the middleware (global router middleware) on 127.0.0.1, ephemeral port; the base URL. */
export const serve = <E, R>(
  routes: Routes<E, R>,
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

/** A JSON response (`HttpServerResponse.unsafeJson` on Effect 3, `jsonUnsafe` on Effect 4). */
export const jsonResponse = (body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(body)

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

// --- kits lane: what the platform kits share (test/shared/support/kit.ts) ---

export { HttpClientResponse } from "effect/http"
