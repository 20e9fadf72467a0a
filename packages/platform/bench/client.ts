/**
 * The resilient client (default strategy, circuit breaker, metrics) against
 * the bare `HttpClient` it wraps and against what an Effect user writes by
 * hand (`HttpClient.retryTransient({ times: 2 })` + `Effect.timeout`): same
 * in-process keep-alive server on 127.0.0.1, same run, same concurrency. The
 * clients alternate round by round so that drift affects them alike; each
 * figure is the median of the rounds. Prints numbers, never asserts.
 *
 * Written once for both lines (copied to effect4/platform/bench, see `support/line.ts`; on
 * Effect 4 the client is `@effect/platform-node` 4's undici client and the server an Effect 4 one):
 *
 *   cd packages/platform && npx tsx bench/client.ts [--seconds 2] [--rounds 5] [--concurrency 16] [--only resilient]
 *   cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/client.ts [same options]
 *
 * `--only <name>` runs one client alone (for `node --cpu-prof --import tsx bench/client.ts --only resilient`).
 */
import { CircuitBreaker } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { quick, report } from "../../../bench/figure.js"
import { HttpRequest, ResilientHttpClient } from "../src/index.js"
import { HttpClient, line, serveOk } from "./support/line.js"

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1] ?? fallback
}
const seconds = Number(arg("seconds", quick ? "1" : "2"))
const rounds = Number(arg("rounds", quick ? "3" : "5"))
const concurrency = Number(arg("concurrency", "16"))
const only = arg("only", "")

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

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN

const program = Effect.gen(function*() {
  const url = `http://127.0.0.1:${yield* serveOk("/items/:id")}`
  const bare = yield* HttpClient.HttpClient
  const byHand = bare.pipe(HttpClient.retryTransient({ times: 2 }))
  const breaker = yield* CircuitBreaker.make({
    breakDuration: "5 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 100,
    failureThreshold: 0.5
  })
  const resilient = yield* ResilientHttpClient.make({ endpoint: url, circuitBreaker: breaker })

  let id = 0
  const clients: ReadonlyArray<
    { readonly name: string; readonly label: string; readonly send: Effect.Effect<string, unknown> }
  > = [
    {
      name: "bare",
      label: `bare ${line.name}HttpClient (undici)`,
      send: Effect.suspend(() => Effect.flatMap(bare.get(`${url}/items/${++id}`), (r) => r.text))
    },
    {
      name: "by-hand",
      label: "retryTransient(2) + Effect.timeout",
      send: Effect.suspend(() =>
        Effect.flatMap(byHand.get(`${url}/items/${++id}`), (r) => r.text).pipe(Effect.timeout("20 seconds"))
      )
    },
    {
      name: "resilient",
      label: `${line.name}ResilientHttpClient`,
      send: Effect.suspend(() =>
        Effect.flatMap(resilient.execute(HttpRequest.get("items/{id}", { path: { id: ++id } })), (r) => r.text)
      )
    }
  ]
  const selected = only === "" ? clients : clients.filter((c) => c.name === only)

  // warm up (connections, JIT)
  for (const client of selected) yield* load(client.send, 1)

  const perRound = new Map<string, Array<Result>>(selected.map((c) => [c.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const client of selected) perRound.get(client.name)!.push(yield* load(client.send, seconds))
  }

  console.log(
    `${line.name}client bench: GET against an in-process keep-alive ${line.name}server on 127.0.0.1 (undici), ` +
      `concurrency ${concurrency}, ${rounds} alternating rounds of ${seconds}s per client, medians ` +
      `(node ${process.version})`
  )
  const rps = new Map<string, number>()
  const fmt = (n: number) => n.toFixed(n < 10 ? 3 : 0)
  for (const client of selected) {
    const results = perRound.get(client.name)!
    const r = median(results.map((x) => x.requests / x.seconds))
    rps.set(client.name, r)
    const sorted = results.flatMap((x) => x.latencies).sort((a, b) => a - b)
    console.log(
      `  ${client.label.padEnd(36)} ${fmt(r)} req/s   ${(1e6 / r).toFixed(0)} µs/request   p50 ${
        fmt(percentile(sorted, 0.5))
      } ms   p99 ${fmt(percentile(sorted, 0.99))} ms   rounds ${
        results.map((x) => (x.requests / x.seconds).toFixed(0)).join(" / ")
      }`
    )
  }
  const b = rps.get("bare")
  const h = rps.get("by-hand")
  const r = rps.get("resilient")
  if (b !== undefined && r !== undefined) {
    const ratio = r / b
    const target = line.target.clientVsBare
    console.log(`  resilient / bare (req/s): ${ratio.toFixed(3)}   (target >= ${target.toFixed(2)})`)
    report({
      id: `${line.id}client.resilient_vs_bare`,
      title:
        `${line.title}ResilientHttpClient throughput / bare ${line.name}HttpClient (16 concurrent, keep-alive, 127.0.0.1)`,
      value: r,
      unit: "req/s",
      anchor: `bare ${line.name}HttpClient (undici)`,
      anchorValue: b,
      ratio,
      target: `≥ ${target.toFixed(2)}`,
      met: ratio >= target
    })
  }
  if (h !== undefined && r !== undefined) {
    const ratio = r / h
    console.log(`  resilient / by hand (req/s): ${ratio.toFixed(3)}   (target >= 1.0)`)
    report({
      id: `${line.id}client.resilient_vs_by_hand`,
      title: `${line.title}ResilientHttpClient throughput / HttpClient.retryTransient({ times: 2 }) + Effect.timeout`,
      value: r,
      unit: "req/s",
      anchor: `${line.name}retryTransient(2) + Effect.timeout`,
      anchorValue: h,
      ratio,
      target: "≥ 1.0",
      met: ratio >= 1
    })
  }
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

await Effect.runPromise(program)
