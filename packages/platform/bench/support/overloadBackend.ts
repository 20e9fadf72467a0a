/**
 * The backend of the overload scenario (`bench/overload.ts` starts it in its
 * own process): `GET /work` behind `ServerMiddleware.make({ concurrencyLimit })`
 * with an AIMD limit. Its capacity is simulated: `capacity` requests at a time
 * take `service` ms each; beyond that, every request arriving stretches as on a
 * processor shared by all (latency = service × active / capacity, fixed at
 * arrival). So the backend serves about capacity / service requests per second
 * whatever the concurrency, and latency grows with queueing as in a real one.
 *
 * Prints `PORT <port>` once listening, then `STATE <limit> <inFlight>` every
 * 100 ms. Arguments: --capacity 10 --service 1000 --threshold 1300 (ms).
 */
import { ConcurrencyLimit } from "@aio-request/core"
import { ServerMiddleware } from "@aio-request/platform"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer, Schedule } from "effect"
import { createServer } from "node:http"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const capacity = arg("capacity", 10)
const service = arg("service", 1000)
const threshold = arg("threshold", Math.round(service * 1.3))

const program = Effect.gen(function*() {
  const limiter = yield* ConcurrencyLimit.make({
    limit: ConcurrencyLimit.aimd({ initial: capacity, max: 1000, latencyThreshold: `${threshold} millis` })
  })
  let active = 0
  const work = Effect.suspend(() => {
    active++
    return Effect.sleep(service * Math.max(1, active / capacity)).pipe(
      Effect.ensuring(Effect.sync(() => active--)),
      Effect.as(HttpServerResponse.text("done"))
    )
  })
  const router = HttpRouter.empty.pipe(HttpRouter.get("/work", work))
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
