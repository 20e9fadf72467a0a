import { Deadline, Priority } from "@aio-request/core"
import { HttpMetrics, ServerMiddleware } from "@aio-request/platform"
import type { HttpApp } from "@effect/platform"
import { HttpClient, HttpClientRequest, HttpServer, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Duration, Effect, Layer, Metric, Option, Schedule } from "effect"
import type { Scope } from "effect"
import { createServer } from "node:http"

/** Starts `app` behind the middleware on 127.0.0.1, ephemeral port; the base URL. */
export const serve = <E>(
  app: HttpApp.Default<E, Scope.Scope>,
  options?: ServerMiddleware.Options
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })).pipe(
      Effect.orDie
    )
    yield* HttpServer.serveEffect(ServerMiddleware.make(options))(app).pipe(Effect.provide(context))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not a TCP server")
    return `http://127.0.0.1:${address.port}`
  })

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
  return HttpServerResponse.unsafeJson({ remainingMillis, priority: Option.getOrNull(priority) } satisfies Seen)
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

/** Waits (live) until `serverCount(labels)` reaches `count`; fails after ~5 s. */
export const awaitServerCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  count: number
): Effect.Effect<number, string> =>
  serverCount(labels).pipe(
    Effect.filterOrFail((n) => n >= count, () => `no ${count} requests recorded with ${JSON.stringify(labels)}`),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(250))))
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
