/**
 * The backend of the overload scenario (`bench/overload.ts` starts it in its
 * own process): `GET /work` behind `ServerMiddleware.make({ concurrencyLimit })`
 * with the scenario's AIMD limit; the work is `service` ms on `capacity`
 * processors shared by every request in flight (or, with `--pool`, a pool of
 * `capacity` workers): `overloadModel.ts`, which the virtual-time run uses too.
 *
 * Prints `PORT <port>` once listening, then `STATE <limit> <inFlight>` every
 * 100 ms. Arguments: --capacity 10 --service 1000 --threshold 1300 --decay 1000 (ms) [--pool].
 */
import { ConcurrencyLimit } from "@aio-request/core"
import { ServerMiddleware } from "@aio-request/platform"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer, Schedule } from "effect"
import { createServer } from "node:http"
import { limit, parameters, work } from "./overloadModel.js"

const p = parameters()

const program = Effect.gen(function*() {
  const limiter = yield* ConcurrencyLimit.make({ limit: limit(p) })
  const handler = Effect.as(yield* work(p), HttpServerResponse.text("done"))
  const router = HttpRouter.empty.pipe(HttpRouter.get("/work", handler))
  const context = yield* Layer.build(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
  yield* HttpServer.serveEffect(ServerMiddleware.make({ concurrencyLimit: limiter }))(router).pipe(
    Effect.provide(context)
  )
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not a TCP server")
  console.log(`PORT ${address.port}`)
  yield* limiter.state.pipe(
    Effect.tap((s) => Effect.sync(() => console.log(`STATE ${s.limit} ${s.inFlight}`))),
    Effect.repeat(Schedule.spaced("100 millis"))
  )
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exit(1)
})
