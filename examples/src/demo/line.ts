/**
 * The demo's Effect 3 glue (`@aio-request/line/demo` on this line): servers,
 * routes, responses, the metric registry, the runner's layer, and the few
 * `effect` names that differ between the lines. The scenes
 * (examples/src/demo/*.ts) import `effect` and the platform only through this
 * module; effect4/examples/src/line.ts is its Effect 4 twin, with the same
 * names and meanings.
 */
import { Observability } from "@aio-request/opentelemetry"
import type { ServerMiddleware } from "@aio-request/platform"
import { ServerMiddleware as Middleware } from "@aio-request/platform"
import type { HttpApp } from "@effect/platform"
import { HttpClient, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { Scope } from "effect"
import { Cause, Console, Effect, Fiber, Layer, Metric, MetricState, Option, Random } from "effect"
import { createServer } from "node:http"
import { createRequire } from "node:module"

export { Observability } from "@aio-request/opentelemetry"
export { HttpClient } from "@effect/platform"
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

const version = (name: string): string => createRequire(import.meta.url)(`${name}/package.json`).version

/** Which line the demo runs on, and on what. */
export const line: { readonly name: "Effect 3" | "Effect 4"; readonly runtime: string } = {
  name: "Effect 3",
  runtime: `effect ${version("effect")}, @effect/platform ${version("@effect/platform")}, Node ${process.version}`
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
 * closes; behind `ServerMiddleware.make(middleware)` when `middleware` is
 * given (`{}`: the defaults), with no middleware otherwise. Returns the
 * server's base URL.
 */
export const serve = (
  routes: ReadonlyArray<Route>,
  middleware?: ServerMiddleware.Options
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const router: HttpApp.Default<unknown> = routes.reduce(
      (router, route) => HttpRouter.get(router, route.path, route.handler),
      HttpRouter.empty as HttpRouter.HttpRouter<unknown>
    )
    const server = yield* NodeHttpServer.make(() => createServer(), { port: 0, host: "127.0.0.1" })
    const serving = middleware === undefined
      ? HttpServer.serveEffect(router)
      : HttpServer.serveEffect(router, Middleware.make(middleware))
    yield* Effect.provideService(serving, HttpServer.HttpServer, server)
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP server")
    return `http://127.0.0.1:${address.port}`
  })

/** The path parameter `name` of the route (`""` when absent). */
export const pathParam = (name: string): Effect.Effect<string, never, Request> =>
  Effect.map(HttpRouter.params, (params) => params[name] ?? "")

/** The query parameter `name` (`""` when absent). */
export const queryParam = (name: string): Effect.Effect<string, never, Request> =>
  Effect.map(HttpServerRequest.ParsedSearchParams, (params) => String(params[name] ?? ""))

/** The request header `name` (lower case), if sent. */
export const requestHeader = (name: string): Effect.Effect<string | undefined, never, Request> =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.headers[name])

/** A 200 with `body` as JSON. */
export const json = (body: unknown): HttpServerResponse.HttpServerResponse => HttpServerResponse.unsafeJson(body)

/** A 200 with `body` as text. */
export const text = (body: string): HttpServerResponse.HttpServerResponse => HttpServerResponse.text(body)

/** An empty answer with `status`. */
export const status = (status: number): HttpServerResponse.HttpServerResponse => HttpServerResponse.empty({ status })

/** A random number in [min, max). */
export const randomBetween = (min: number, max: number): Effect.Effect<number> => Random.nextRange(min, max)

/** A running fiber, as `fork` returns it. */
export type RunningFiber<A, E = never> = Fiber.RuntimeFiber<A, E>

/** Forks `effect` as a child of the current fiber. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<RunningFiber<A, E>, never, R> =>
  Effect.fork(effect)

/** Forks `effect` in the current scope. */
export const forkScoped = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<RunningFiber<A, E>, never, R | Scope.Scope> => Effect.forkScoped(effect)

/** Waits for every fiber of `fibers`. */
export const joinAll = <A, E>(fibers: Iterable<RunningFiber<A, E>>): Effect.Effect<void, E> => Fiber.joinAll(fibers)

/** Recovers from every failure. */
export const catchAll = Effect.catchAll

/** The first failure of a cause, if any. */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.failureOption

/** One series of the metric registry: a counter's value, or a histogram's number of observations. */
export interface Series {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** The counters and histograms of Effect's metric registry, read once. */
export const metricSeries: Effect.Effect<ReadonlyArray<Series>> = Effect.map(
  Metric.snapshot,
  (pairs) =>
    pairs.flatMap((pair) => {
      const state: unknown = pair.metricState
      const value = MetricState.isCounterState(state)
        ? Number(state.count)
        : MetricState.isHistogramState(state)
        ? state.count
        : undefined
      if (value === undefined) return []
      const labels = Object.fromEntries(pair.metricKey.tags.map((tag) => [tag.key, tag.value] as const))
      return [{ name: pair.metricKey.name, labels, value }]
    })
)

/** Runs `self` with `Console.log` writing to `write` (a test reads what a scene prints). */
export const withOutput = (write: (line: string) => void) => <A, E, R>(self: Effect.Effect<A, E, R>) => {
  const console = {
    ...globalThis.console,
    [Console.TypeId]: Console.TypeId,
    log: (...args: ReadonlyArray<unknown>) => Effect.sync(() => write(args.join(" "))),
    unsafe: { ...globalThis.console, log: (...args: ReadonlyArray<unknown>) => write(args.join(" ")) }
  } as unknown as Console.Console
  return Effect.withConsole(self, console)
}

/** What a scene needs from the runner: an `HttpClient` to wrap, the Prometheus endpoint. */
export type SceneContext = HttpClient.HttpClient | Observability.PrometheusEndpoint

/** The runner's layer: undici as the `HttpClient`, a Prometheus endpoint on an ephemeral port. */
export const Main: Layer.Layer<SceneContext, unknown> = Layer.mergeAll(
  NodeHttpClient.layerUndici,
  Observability.layerPrometheus({ port: 0 })
)
