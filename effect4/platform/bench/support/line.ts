/**
 * The benchmarks' Effect 4 glue: what differs between the lines for the benchmarks written once
 * in `packages/platform/bench` and copied here by scripts/lines.mjs (see docs/architecture.md,
 * "Glue written once"), and for the Tail at Scale run (`support/tailAtScale.ts`).
 * packages/platform/bench/support/line.ts is its Effect 3 twin, with the same names and meanings.
 *
 * The servers are `HttpRouter.serve` (request logger off) over `@effect/platform-node` 4's
 * `NodeHttpServer`, the middleware installed as global router middleware
 * (`HttpRouter.middleware(m, { global: true })`), as a server built with `HttpRouter.serve` has it.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { Fiber as Fibers, Scope } from "effect"
import { Context, Deferred, Effect, Exit, Layer } from "effect"
import type { HttpServerRequest } from "effect/http"
import { HttpEffect, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"

export { HttpClient, HttpClientResponse, HttpServerRequest } from "effect/http"
export type * as HttpClientRequest from "effect/http/HttpClientRequest"
export type * as HttpServerResponse from "effect/http/HttpServerResponse"

/** How the figures and lines of this line's benchmarks are named, and its targets. */
export const line = {
  /** Put before every figure's id. */
  id: "effect4.",
  /** Put before every figure's title. */
  title: "Effect 4: ",
  /** Names the line before a subject (`bare ${line.name}server`). */
  name: "Effect 4 ",
  /** The bare server the server benchmarks compare with. */
  server: "HttpRouter.serve(routes)",
  /** How the in-process benchmark handles a request as the server does. */
  handled: "global router middleware, HttpEffect.toHandled",
  /** Issue 19's targets: the resilient client over the bare one, the two middlewares over the bare server. */
  target: { clientVsBare: 0.9, make: 0.95, cancelOnTimeout: 0.9 }
} as const

/** What `HttpRouter.middleware` takes: an `HttpMiddleware` such as `ServerMiddleware.make()`. */
export type Middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>

/** A route's path. */
export type Path = `/${string}`

/** Notes the status of an answer. */
export type Noted = (status: number) => void

/** A request handled as the server handles it, the status of its answer noted. */
export type Handled = Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>

/** What the scope holds (a server, a router) while it is open. */
type Scoped<A> = Effect.Effect<A, never, Scope.Scope>

/** `GET path` → "ok", behind `middleware` (global router middleware) when one is given. */
const routes = (path: Path, middleware?: Middleware) => {
  const route = HttpRouter.add("GET", path, HttpServerResponse.text("ok"))
  return middleware === undefined ? route : Layer.mergeAll(route, HttpRouter.middleware(middleware, { global: true }))
}

/**
 * Serves `GET path` → "ok" on 127.0.0.1, an ephemeral port, for the scope, behind `middleware`
 * when one is given (`HttpRouter.serve`); the port.
 */
export const serveOk = (path: Path, middleware?: Middleware): Scoped<number> =>
  Effect.gen(function*() {
    const served = HttpRouter.serve(routes(path, middleware), { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
    ) as Layer.Layer<HttpServer.HttpServer, unknown>
    const context = yield* Layer.build(served).pipe(Effect.orDie)
    const address = Context.get(context, HttpServer.HttpServer).address
    return address._tag === "InetAddressV4" || address._tag === "InetAddressV6"
      ? address.port
      : yield* Effect.die("not a TCP server")
  })

/**
 * `GET path` → "ok" handled as a server handles each request: `HttpRouter.toHttpEffect`, then
 * `HttpEffect.toHandled(app, write)`, `write` noting the status.
 */
export const handled = (path: Path, noted: Noted, middleware?: Middleware): Scoped<Handled> =>
  Effect.map(
    HttpRouter.toHttpEffect(routes(path, middleware)),
    (app) => HttpEffect.toHandled(app, (_, response) => Effect.sync(() => noted(response.status))) as Handled
  )

/** Runs `effect` in a fiber of its own, a child of this one. */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber<A, E>, never, R> =>
  Effect.forkChild(effect)

/** A running fiber. */
export type Fiber<A, E> = Fibers.Fiber<A, E>

/** An Effect completed by a callback (`Effect.callback`). */
export const callback: <A, E>(
  register: (resume: (effect: Effect.Effect<A, E>) => void) => void
) => Effect.Effect<A, E> = (register) => Effect.callback((resume) => register(resume))

/** Completes `deferred` with `undefined` at once, from outside any fiber. */
export const succeedUnsafe = (deferred: Deferred.Deferred<void>): void => {
  Deferred.doneUnsafe(deferred, Exit.void)
}

/** The id of the request a fiber sends (for `--trace`); -1 outside one. */
const CurrentId = Context.Reference<number>("@aio-request/platform/bench/CurrentId", { defaultValue: () => -1 })

/** The id of the request this fiber sends; -1 outside one. */
export const requestId: Effect.Effect<number> = Effect.service(CurrentId)

/** `effect` with `requestId` set to `id`. */
export const withRequestId = <A, E, R>(effect: Effect.Effect<A, E, R>, id: number): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, CurrentId, id)
