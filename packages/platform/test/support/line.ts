/**
 * The Effect 3 kit of the shared platform support (packages/platform/test/shared/support): what
 * the chaos server, the soak and the ServerMiddleware harness need from `effect` and
 * `@effect/platform`, under names that mean the same on both lines. No vitest import: the soak
 * also runs from the command line (`pnpm soak`). effect4/platform/test/support/line.ts is its
 * Effect 4 twin; the test kit (test/line.ts) re-exports what the shared tests use of it.
 */
import type { HttpApp } from "@effect/platform"
import {
  FetchHttpClient,
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Context, Duration, Effect, Layer, Metric, Option, Schema, Supervisor } from "effect"
import type { Fiber, Scope } from "effect"
import { createServer, type Server } from "node:http"
import { ServerMiddleware } from "../../src/index.js"
import type { ApiHandlers } from "../shared/support/serverMiddlewareHarness.js"

export { HttpClient, HttpClientRequest, HttpServerResponse } from "@effect/platform"
export { Clock, Duration, Effect, Exit, Fiber, Layer, Option, Ref, Schedule, Schema } from "effect"
export type { Scope } from "effect"

/** Forks `effect` as a child of the current fiber. */
export const forkChild = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.RuntimeFiber<A, E>, never, R> =>
  Effect.fork(effect)

/** Dies with an `Error` carrying `message`. */
export const dieMessage: (message: string) => Effect.Effect<never> = Effect.dieMessage

/** The typed failure in `cause`, if any (`Cause.failureOption`). */
export const findError: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.failureOption

/** `cause`, readable. */
export const prettyCause: <E>(cause: Cause.Cause<E>) => string = Cause.pretty

/** A duration from what a duration may be given as (`Duration.decode`). */
export const toDuration: (input: Duration.DurationInput) => Duration.Duration = Duration.decode

/** What a duration may be given as. */
export type DurationInput = Duration.DurationInput

/** How many values the series of the histogram `metric` with the labels `tags` has recorded. */
export const histogramCount = (
  metric: Metric.Metric.Histogram<number>,
  tags: Record<string, string>
): Effect.Effect<number> =>
  Metric.value(Object.entries(tags).reduce((m, [key, value]) => Metric.tagged(m, key, value), metric)).pipe(
    Effect.map((state) => state.count)
  )

/** The fibers an effect forks: `supervise` wraps the effect, `alive` counts those still running. */
export interface FiberTracker {
  readonly supervise: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly alive: Effect.Effect<number>
}

/** A new `FiberTracker` (`Supervisor.track`). */
export const trackFibers: Effect.Effect<FiberTracker> = Effect.map(Supervisor.track, (supervisor) => ({
  supervise: Effect.supervised(supervisor),
  alive: Effect.map(supervisor.value, (fibers) => fibers.length)
}))

/**
 * The three transports every fault is checked on, as a user provides them: undici, node:http
 * and fetch (plain `FetchHttpClient.layer`, which follows redirects itself unless the client
 * tells it not to).
 */
export const chaosTransports = [
  { name: "undici", layer: NodeHttpClient.layerUndici },
  { name: "node:http", layer: NodeHttpClient.layer },
  { name: "fetch", layer: FetchHttpClient.layer }
] as const satisfies ReadonlyArray<{ readonly name: string; readonly layer: Layer.Layer<HttpClient.HttpClient> }>

/** undici as the `HttpClient` under test. */
export const undici: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

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

/** The path parameter `name` of the route being served. */
export const pathParam = (name: string): Effect.Effect<string | undefined, never, HttpRouter.RouteContext> =>
  Effect.map(HttpRouter.params, (params) => params[name])

const listen = (server: Server) =>
  Layer.build(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" })).pipe(Effect.orDie)

const urlOf = (context: Context.Context<HttpServer.HttpServer>) => {
  const address = Context.get(context, HttpServer.HttpServer).address
  return address._tag === "TcpAddress"
    ? Effect.succeed(`http://127.0.0.1:${address.port}`)
    : Effect.dieMessage("not a TCP server")
}

/**
 * Serves `routes` (or any `HttpApp`, Effect 3 only) behind the middleware (around the whole app,
 * `HttpServer.serveEffect`) on 127.0.0.1, ephemeral port; the base URL.
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

/** A JSON response (`HttpServerResponse.unsafeJson` on Effect 3, `jsonUnsafe` on Effect 4). */
export const jsonResponse = (body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body)

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

// --- kits lane: what the platform kits share (test/shared/support/kit.ts) ---

export { HttpClientResponse } from "@effect/platform"
