/**
 * The resilient client (default strategy, circuit breaker, metrics and spans)
 * against the bare `HttpClient` it wraps: same local keep-alive server, same
 * run, same concurrency. Runs alternate between the two clients so that drift
 * affects both alike.
 *
 * cd packages/platform && npx tsx bench/client.ts [--seconds 3] [--rounds 3] [--concurrency 16]
 */
import { CircuitBreaker } from "@aio-request/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import { HttpClient, HttpRouter, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { serve } from "../test/support/servers.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const seconds = arg("seconds", 3)
const rounds = arg("rounds", 3)
const concurrency = arg("concurrency", 16)

interface Result {
  readonly requests: number
  readonly seconds: number
  readonly latencies: Array<number>
}

const load = (send: Effect.Effect<string, unknown>, durationSeconds: number): Effect.Effect<Result> =>
  Effect.gen(function*() {
    const latencies: Array<number> = []
    const start = performance.now()
    const end = start + durationSeconds * 1000
    const worker = Effect.gen(function*() {
      while (performance.now() < end) {
        const t = performance.now()
        yield* Effect.orDie(send)
        latencies.push(performance.now() - t)
      }
    })
    yield* Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    return { requests: latencies.length, seconds: (performance.now() - start) / 1000, latencies }
  })

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN

const summarize = (results: ReadonlyArray<Result>) => {
  const requests = results.reduce((n, r) => n + r.requests, 0)
  const time = results.reduce((n, r) => n + r.seconds, 0)
  const sorted = results.flatMap((r) => r.latencies).sort((a, b) => a - b)
  return { rps: requests / time, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), requests }
}

const program = Effect.gen(function*() {
  const url = yield* serve(HttpRouter.empty.pipe(HttpRouter.get("/items/:id", HttpServerResponse.text("ok"))))
  const bare = yield* HttpClient.HttpClient
  const breaker = yield* CircuitBreaker.make({
    breakDuration: "5 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 100,
    failureThreshold: 0.5
  })
  const resilient = yield* ResilientHttpClient.make({ endpoint: url, circuitBreaker: breaker })

  let id = 0
  const sendBare = Effect.suspend(() => Effect.flatMap(bare.get(`${url}/items/${++id}`), (r) => r.text))
  const sendResilient = Effect.suspend(() =>
    Effect.flatMap(resilient.execute(HttpRequest.get("items/{id}", { path: { id: ++id } })), (r) => r.text)
  )

  // warm up both (connections, JIT)
  yield* load(sendBare, 1)
  yield* load(sendResilient, 1)

  const bareResults: Array<Result> = []
  const resilientResults: Array<Result> = []
  for (let round = 0; round < rounds; round++) {
    bareResults.push(yield* load(sendBare, seconds))
    resilientResults.push(yield* load(sendResilient, seconds))
  }
  const b = summarize(bareResults)
  const r = summarize(resilientResults)
  const fmt = (n: number) => n.toFixed(n < 10 ? 3 : 0)
  console.log(
    `client bench: GET against a local keep-alive server (undici), concurrency ${concurrency}, ${rounds} x ${seconds}s per client, alternating`
  )
  console.log(
    `  bare HttpClient        ${fmt(b.rps)} req/s   p50 ${fmt(b.p50)} ms   p99 ${
      fmt(b.p99)
    } ms   (${b.requests} requests)`
  )
  console.log(
    `  ResilientHttpClient    ${fmt(r.rps)} req/s   p50 ${fmt(r.p50)} ms   p99 ${
      fmt(r.p99)
    } ms   (${r.requests} requests)`
  )
  console.log(`  ratio (resilient / bare req/s): ${(r.rps / b.rps).toFixed(3)}   (target >= 0.95)`)
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

await Effect.runPromise(program)
