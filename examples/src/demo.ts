/**
 * The demo (`pnpm demo`): one long-tail service, three strategies, real HTTP.
 *
 * An upstream service behind `ServerMiddleware` answers 98% of its calls in
 * 5–15 ms and 2% in 1–3 s. A resilient client sends the same load to it with
 * `Strategy.single`, `Strategy.sequential` (attempt deadlines split, so a
 * stuck attempt is cut and retried) and `Strategy.parallel` (hedging), under a
 * 1 s deadline, and prints the latency percentiles, the failures and the extra
 * attempts the upstream saw. Last, a few lines of the Prometheus scrape.
 *
 * Everything runs on 127.0.0.1, on ports the system chooses.
 */
import { Deadline, Delays, Strategy } from "@aio-request/core"
import { Observability } from "@aio-request/opentelemetry"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Chunk, Clock, Console, Context, Effect, Exit, Layer, Random, Ref } from "effect"
import { createServer } from "node:http"

const REQUESTS = Number(process.env.DEMO_REQUESTS ?? 1000)
const CONCURRENCY = 4

/** Counts the calls the upstream served, so the table can show extra attempts. */
class Calls extends Context.Tag("demo/Calls")<Calls, Ref.Ref<number>>() {}

const Upstream = Layer.unwrapEffect(Effect.gen(function*() {
  const calls = yield* Calls
  const router = HttpRouter.empty.pipe(
    HttpRouter.get(
      "/items/:id",
      Effect.gen(function*() {
        yield* Ref.update(calls, (n) => n + 1)
        const slow = (yield* Random.next) < 0.02
        yield* Effect.sleep(`${slow ? yield* Random.nextRange(1000, 3000) : yield* Random.nextRange(5, 15)} millis`)
        const { id } = yield* HttpRouter.params
        return HttpServerResponse.unsafeJson({ id })
      })
    )
  )
  return HttpServer.serve(router, ServerMiddleware.make({ cancelOnTimeout: true }))
})).pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0

const strategies: ReadonlyArray<readonly [string, Strategy.Strategy]> = [
  ["single", Strategy.single],
  [
    "sequential (3, split deadline)",
    Strategy.sequential({ attempts: 3, delays: Delays.constant(0), attemptDeadline: Deadline.splitBetweenAttempts() })
  ],
  ["parallel (3, hedge at 50/100 ms)", Strategy.parallel({ attempts: 3, delays: Delays.constant("50 millis") })]
]

const program = Effect.gen(function*() {
  const address = (yield* HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP server")
  const calls = yield* Calls
  const client = yield* ResilientHttpClient.make({
    endpoint: `http://127.0.0.1:${address.port}`,
    serviceName: "demo",
    timeout: "1 second"
  })

  yield* Console.log(
    `${REQUESTS} GET requests per strategy, ${CONCURRENCY} at a time, deadline 1 s;` +
      ` upstream: 98% 5-15 ms, 2% 1-3 s\n`
  )
  yield* Console.log("strategy                           p50 ms   p99 ms  p99.9 ms   failed   extra attempts")
  for (const [name, strategy] of strategies) {
    yield* Ref.set(calls, 0)
    const one = (id: number) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const exit = yield* client.execute(HttpRequest.get("/items/{id}", { path: { id } })).pipe(
          Effect.flatMap((response) => response.json),
          Strategy.withStrategy(strategy),
          Effect.exit
        )
        return { elapsed: (yield* Clock.currentTimeMillis) - start, ok: Exit.isSuccess(exit) }
      })
    const results = yield* Effect.forEach(Chunk.range(1, REQUESTS), one, { concurrency: CONCURRENCY })
    const sorted = results.map((r) => r.elapsed).sort((a, b) => a - b)
    const row = [
      name.padEnd(33),
      String(percentile(sorted, 0.5)).padStart(7),
      String(percentile(sorted, 0.99)).padStart(8),
      String(percentile(sorted, 0.999)).padStart(9),
      String(results.filter((r) => !r.ok).length).padStart(8),
      String((yield* Ref.get(calls)) - REQUESTS).padStart(16)
    ]
    yield* Console.log(row.join(" "))
  }

  const { url } = yield* Observability.PrometheusEndpoint
  const scrape = yield* HttpClient.get(url).pipe(Effect.flatMap((response) => response.text))
  const lines = scrape.split("\n").filter((line) =>
    /^aio_request_(latency_count|hedges_total|retries_total|server_latency_count)\{/.test(line)
  )
  yield* Console.log(`\nfrom the Prometheus scrape at ${url}:`)
  yield* Console.log(lines.join("\n"))
}).pipe(Effect.scoped)

const Main = Layer.mergeAll(Upstream, NodeHttpClient.layerUndici, Observability.layerPrometheus({ port: 0 }))
  .pipe(Layer.provideMerge(Layer.effect(Calls, Ref.make(0))))

Effect.runPromise(program.pipe(Effect.provide(Main))).catch((error) => {
  console.error(error)
  process.exit(1)
})
