/**
 * The demo's Effect 4 glue (`@aio-request/line/demo` on this line): servers,
 * routes, responses, the metric registry, the runner's layer, and the few
 * `effect` names that differ between the lines. The scenes
 * (examples/src/demo/*.ts, shared with the Effect 3 line) import `effect` and
 * the platform only through this module; examples/src/demo/line.ts is its
 * Effect 3 twin, with the same names and meanings.
 */
import { Observability } from "@aio-request/opentelemetry"
import { ServerMiddleware } from "@aio-request/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { Scope } from "effect"
import { Cause, Console, Context, Effect, Fiber, Layer, Metric, Option, Random } from "effect"
import type { HttpClient } from "effect/http"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"
import { createRequire } from "node:module"

export { Observability } from "@aio-request/opentelemetry"
export {
  Cause,
  Clock,
  Console,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Queue,
  Random,
  Ref,
  Scope,
  Stream
} from "effect"
export { HttpClient } from "effect/http"

const version = (name: string): string => createRequire(import.meta.url)(`${name}/package.json`).version

/** Which line the demo runs on, and on what. */
export const line: { readonly name: "Effect 3" | "Effect 4"; readonly runtime: string } = {
  name: "Effect 4",
  runtime: `effect ${version("effect")} (effect/http), @effect/platform-node ${
    version("@effect/platform-node")
  }, Node ${process.version}`
}

/** What the scenes' handlers may read: the request, its path and its query parameters. */
export type Request =
  | HttpServerRequest.HttpServerRequest
  | HttpRouter.RouteContext
  | HttpServerRequest.ParsedSearchParams

/** A GET route, as `serve` takes it. */
export interface Route {
  readonly path: HttpRouter.PathInput
  readonly handler: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, Request>
}

/** A GET route for `serve`. */
export const get = (path: HttpRouter.PathInput, handler: Route["handler"]): Route => ({ path, handler })

/**
 * Serves `routes` on 127.0.0.1, on a port the system chooses, until the scope
 * closes; behind `ServerMiddleware.make(middleware)` (global router
 * middleware) when `middleware` is given (`{}`: the defaults), with no
 * middleware otherwise. Returns the server's base URL.
 */
export const serve = (
  routes: ReadonlyArray<Route>,
  middleware?: ServerMiddleware.Options
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const added = HttpRouter.addAll(routes.map((route) => HttpRouter.route("GET", route.path, route.handler)))
    const app = middleware === undefined
      ? added
      : Layer.mergeAll(added, HttpRouter.middleware(ServerMiddleware.make(middleware), { global: true }))
    const served = HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
    )
    const context = yield* Layer.build(served as Layer.Layer<HttpServer.HttpServer, unknown>)
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "InetAddressV4" && address._tag !== "InetAddressV6") {
      return yield* Effect.die(new Error("expected a TCP server"))
    }
    return `http://127.0.0.1:${address.port}`
  })

/** The path parameter `name` of the route (`""` when absent). */
export const pathParam = (name: string): Effect.Effect<string, never, Request> =>
  Effect.map(HttpRouter.params, (params) => params[name] ?? "")

/** The query parameter `name` (`""` when absent). */
export const queryParam = (name: string): Effect.Effect<string, never, Request> =>
  Effect.gen(function*() {
    const params = yield* HttpServerRequest.ParsedSearchParams
    return String(params[name] ?? "")
  })

/** The request header `name` (lower case), if sent. */
export const requestHeader = (name: string): Effect.Effect<string | undefined, never, Request> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    return request.headers[name]
  })

/** A 200 with `body` as JSON. */
export const json = (body: unknown): HttpServerResponse.HttpServerResponse => HttpServerResponse.jsonUnsafe(body)

/** A 200 with `body` as text. */
export const text = (body: string): HttpServerResponse.HttpServerResponse => HttpServerResponse.text(body)

/** An empty answer with `status`. */
export const status = (status: number): HttpServerResponse.HttpServerResponse => HttpServerResponse.empty({ status })

/** A random number in [min, max). */
export const randomBetween = (min: number, max: number): Effect.Effect<number> => Random.nextBetween(min, max)

/** A running fiber, as `fork` returns it. */
export type RunningFiber<A, E = never> = Fiber.Fiber<A, E>

/** Forks `effect` as a child of the current fiber, started at once. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<RunningFiber<A, E>, never, R> =>
  Effect.forkChild(effect, { startImmediately: true })

/** Forks `effect` in the current scope, started at once. */
export const forkScoped = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<RunningFiber<A, E>, never, R | Scope.Scope> => Effect.forkScoped(effect, { startImmediately: true })

/** Waits for every fiber of `fibers`. */
export const joinAll = <A, E>(fibers: Iterable<RunningFiber<A, E>>): Effect.Effect<void, E> =>
  Effect.asVoid(Fiber.joinAll(fibers))

/** Recovers from every failure. */
export const catchAll = Effect.catch

/** The first failure of a cause, if any. */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.findErrorOption

/** One series of the metric registry: a counter's value, or a histogram's number of observations. */
export interface Series {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** The counters and histograms of Effect's metric registry, read once. */
export const metricSeries: Effect.Effect<ReadonlyArray<Series>> = Effect.map(
  Metric.snapshot,
  (snapshots) =>
    snapshots.flatMap((snapshot) => {
      const value = snapshot.type === "Counter"
        ? Number(snapshot.state.count)
        : snapshot.type === "Histogram"
        ? snapshot.state.count
        : undefined
      if (value === undefined) return []
      return [{ name: snapshot.id, labels: snapshot.attributes ?? {}, value }]
    })
)

/** Runs `self` with `Console.log` writing to `write` (a test reads what a scene prints). */
export const withOutput = (write: (line: string) => void) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provideService(self, Console.Console, {
    ...globalThis.console,
    log: (...args: ReadonlyArray<unknown>) => write(args.join(" "))
  })

/** What a scene needs from the runner: an `HttpClient` to wrap, the Prometheus endpoint. */
export type SceneContext = HttpClient.HttpClient | Observability.PrometheusEndpoint

/** The runner's layer: undici as the `HttpClient`, a Prometheus endpoint on an ephemeral port. */
export const Main: Layer.Layer<SceneContext, unknown> = Layer.mergeAll(
  NodeHttpClient.layerUndici,
  Observability.layerPrometheus({ port: 0 })
)
