/**
 * A loopback Effect 4 server for the benchmarks: `routes` served by `HttpRouter.serve`
 * (request logger off) over `@effect/platform-node` 4's `NodeHttpServer` on 127.0.0.1, an
 * ephemeral port, behind `middleware` (global router middleware) when one is given.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import type { HttpServerRequest, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"

/** What `HttpRouter.middleware` takes: an `HttpMiddleware` such as `ServerMiddleware.make()`. */
export type Middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>

/** The layer that serves `routes` (behind `middleware`, if any) on 127.0.0.1, ephemeral port. */
export const served = <E, R>(routes: Layer.Layer<never, E, R>, middleware?: Middleware) =>
  HttpRouter.serve(
    middleware === undefined ? routes : Layer.mergeAll(routes, HttpRouter.middleware(middleware, { global: true })),
    { disableLogger: true, disableListenLog: true }
  ).pipe(
    Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
  ) as Layer.Layer<HttpServer.HttpServer, unknown>

/** The port an `HttpServer` listens on. */
export const portOf = (context: Context.Context<HttpServer.HttpServer>): Effect.Effect<number> => {
  const address = Context.get(context, HttpServer.HttpServer).address
  return address._tag === "InetAddressV4" || address._tag === "InetAddressV6"
    ? Effect.succeed(address.port)
    : Effect.die("not a TCP server")
}

/** Serves `routes` (behind `middleware`, if any) for the scope; the base URL (no trailing slash). */
export const serve = <E, R>(
  routes: Layer.Layer<never, E, R>,
  middleware?: Middleware
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(served(routes, middleware)).pipe(Effect.orDie)
    return `http://127.0.0.1:${yield* portOf(context)}`
  })
