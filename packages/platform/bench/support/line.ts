/**
 * The benchmarks' Effect 3 glue: what differs between the lines for the benchmarks of
 * `packages/platform/bench` (written once here and copied to `effect4/platform/bench` by
 * scripts/lines.mjs, see docs/architecture.md, "Glue written once") and for the Tail at Scale
 * run (`support/tailAtScale.ts`). effect4/platform/bench/support/line.ts is its Effect 4 twin,
 * with the same names and meanings.
 *
 * The figures of each line are told apart by their ids (`effect4.` on the Effect 4 line) and
 * titles; the targets are each line's own (issue 19 asks more of Effect 4).
 */
import type { HttpMiddleware } from "@effect/platform"
import { HttpApp, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { Fiber as Fibers, Scope } from "effect"
import { Context, Deferred, Effect, Exit, FiberRef, Layer } from "effect"
import { createServer } from "node:http"

export { HttpClient, HttpClientResponse, HttpServerRequest } from "@effect/platform"
export type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export type * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** How the figures and lines of this line's benchmarks are named, and its targets. */
export const line = {
  /** Put before every figure's id. */
  id: "",
  /** Put before every figure's title. */
  title: "",
  /** Names the line before a subject (`bare ${line.name}server`): empty here, `"Effect 4 "` there. */
  name: "",
  /** The bare server the server benchmarks compare with. */
  server: "HttpServer.serve(router)",
  /** How the in-process benchmark handles a request as the server does. */
  handled: "HttpApp.toHandled",
  /** The targets: the resilient client over the bare one, the two middlewares over the bare server. */
  target: { clientVsBare: 0.8, make: 0.85, cancelOnTimeout: 0.75 }
} as const

/** A middleware the server benchmarks put in front of the route (`ServerMiddleware.make()`). */
export type Middleware = HttpMiddleware.HttpMiddleware

/** A route's path. */
export type Path = `/${string}`

/** Notes the status of an answer. */
export type Noted = (status: number) => void

/** A request handled as the server handles it, the status of its answer noted. */
export type Handled = Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>

/** What the scope holds (a server, a router) while it is open. */
type Scoped<A> = Effect.Effect<A, never, Scope.Scope>

const router = (path: Path) => HttpRouter.empty.pipe(HttpRouter.get(path, HttpServerResponse.text("ok")))

/**
 * Serves `GET path` → "ok" on 127.0.0.1, an ephemeral port, for the scope, behind `middleware`
 * when one is given (`HttpServer.serve(router, middleware)`); the port.
 */
export const serveOk = (path: Path, middleware?: Middleware): Scoped<number> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })).pipe(
      Effect.orDie
    )
    yield* (middleware === undefined
      ? HttpServer.serveEffect(router(path))
      : HttpServer.serveEffect(router(path), middleware)).pipe(Effect.provide(context))
    const address = Context.get(context, HttpServer.HttpServer).address
    return address._tag === "TcpAddress" ? address.port : yield* Effect.dieMessage("not a TCP server")
  })

/**
 * `GET path` → "ok" handled as a server handles each request: `HttpApp.toHandled(router,
 * write, middleware)`, what `HttpServer.serve(router, middleware)` runs, `write` noting the status.
 */
export const handled = (path: Path, noted: Noted, middleware?: Middleware): Scoped<Handled> =>
  Effect.succeed(
    HttpApp.toHandled(router(path), (_, response) => Effect.sync(() => noted(response.status)), middleware) as Handled
  )

/** Runs `effect` in a fiber of its own, a child of this one. */
export const fork: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<Fiber<A, E>, never, R> = Effect.fork

/** A running fiber. */
export type Fiber<A, E> = Fibers.RuntimeFiber<A, E>

/** An Effect completed by a callback (`Effect.async`). */
export const callback: <A, E>(
  register: (resume: (effect: Effect.Effect<A, E>) => void) => void
) => Effect.Effect<A, E> = (register) => Effect.async((resume) => register(resume))

/** Completes `deferred` with `undefined` at once, from outside any fiber. */
export const succeedUnsafe = (deferred: Deferred.Deferred<void>): void => Deferred.unsafeDone(deferred, Exit.void)

/** The id of the request a fiber sends (for `--trace`); -1 outside one. */
const currentId = FiberRef.unsafeMake(-1)

/** The id of the request this fiber sends; -1 outside one. */
export const requestId: Effect.Effect<number> = FiberRef.get(currentId)

/** `effect` with `requestId` set to `id`. */
export const withRequestId = <A, E, R>(effect: Effect.Effect<A, E, R>, id: number): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentId, id)
