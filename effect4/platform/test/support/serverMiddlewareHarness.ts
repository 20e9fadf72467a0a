/**
 * The Effect 4 twin of packages/platform/test/support/serverMiddlewareHarness.ts: a loopback
 * server with the middleware installed as global `HttpRouter` middleware, a handler that
 * reports its deadline and priority, metric reads, and a plain undici GET.
 */
import { Deadline, Priority } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Duration, Effect, Layer, Metric, Option, Schedule } from "effect"
import type { Scope } from "effect"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createServer, type Server } from "node:http"
import { HttpMetrics, ServerMiddleware } from "../../src/index.js"

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

/** A route. */
export const route = <E, R>(
  path: HttpRouter.PathInput,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  options?: { readonly uninterruptible?: boolean }
) => HttpRouter.add("GET", path, handler, options)

/** What a handler saw: the time left before its deadline, and its priority. */
export interface Seen {
  readonly remainingMillis: number | null
  readonly priority: string | null
}

/** A handler body reporting `CurrentDeadline` and `CurrentPriority` as JSON. */
export const seen: Effect.Effect<HttpServerResponse.HttpServerResponse> = Effect.gen(function*() {
  const deadline = yield* Deadline.CurrentDeadline
  const priority = yield* Priority.CurrentPriority
  const remainingMillis = Option.isSome(deadline)
    ? Duration.toMillis(yield* Deadline.remaining(deadline.value))
    : null
  return HttpServerResponse.jsonUnsafe({ remainingMillis, priority: Option.getOrNull(priority) } satisfies Seen)
})

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

/** Waits (live) until `serverCount(labels)` reaches `count`; fails after ~5 s. */
export const awaitServerCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  count: number
): Effect.Effect<number, string> =>
  serverCount(labels).pipe(
    Effect.filterOrFail((n) => n >= count, () => `no ${count} requests recorded with ${JSON.stringify(labels)}`),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 250 })
  )

let clientCounter = 0
/** A client name no other test uses, so metric counts start at zero. */
export const uniqueClient = (prefix: string): string => `${prefix}-${process.pid}-${++clientCounter}`

/** A plain GET (undici) with the given headers: status and body text. */
export const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers)))
    const text = yield* response.text
    return { status: response.status, text }
  }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))
