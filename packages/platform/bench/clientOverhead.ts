/**
 * The CPU the resilient client adds to one request, without a network: the
 * underlying `HttpClient` answers at once with a small buffered response.
 * Bare, hand-written Effect equivalent and resilient alternate; medians of 5
 * rounds; 16 fibers at a time. CPU time (user + system) per request, so
 * that a machine shared with other work gives the same figures. Prints numbers, never asserts.
 *
 * Written once for both lines (copied to effect4/platform/bench, see `support/line.ts`):
 *
 *   cd packages/platform && npx tsx bench/clientOverhead.ts [--n 20000] [--rounds 5]
 *   cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/clientOverhead.ts [--n 20000] [--rounds 5]
 */
import { CircuitBreaker } from "@aio-request/core"
import { Effect } from "effect"
import { quick, report } from "../../../bench/figure.js"
import { HttpRequest, ResilientHttpClient } from "../src/index.js"
import { HttpClient, HttpClientResponse, line } from "./support/line.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const n = arg("n", quick ? 5_000 : 20_000)
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined
const rounds = arg("rounds", 5)

const instant = HttpClient.make((request) =>
  Effect.sync(() => HttpClientResponse.fromWeb(request, new Response("ok", { status: 200 })))
)

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const program = Effect.gen(function*() {
  const breaker = yield* CircuitBreaker.make({
    breakDuration: "5 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 100,
    failureThreshold: 0.5
  })
  const resilient = yield* ResilientHttpClient.make({ endpoint: "http://upstream.test/", circuitBreaker: breaker })
    .pipe(
      Effect.provideService(HttpClient.HttpClient, instant)
    )
  const byHand = instant.pipe(HttpClient.retryTransient({ times: 2 }))
  let id = 0
  const clients = [
    {
      name: "bare",
      send: Effect.suspend(() => Effect.flatMap(instant.get(`http://upstream.test/items/${++id}`), (r) => r.text))
    },
    {
      name: "by-hand",
      send: Effect.suspend(() =>
        Effect.flatMap(byHand.get(`http://upstream.test/items/${++id}`), (r) => r.text).pipe(
          Effect.timeout("20 seconds")
        )
      )
    },
    {
      name: "resilient",
      send: Effect.suspend(() =>
        Effect.flatMap(resilient.execute(HttpRequest.get("items/{id}", { path: { id: ++id } })), (r) => r.text)
      )
    }
  ]
  const concurrency = 16
  const loop = (send: Effect.Effect<string, unknown>, count: number) =>
    Effect.gen(function*() {
      const start = process.cpuUsage()
      const worker = Effect.gen(function*() {
        for (let i = 0; i < count / concurrency; i++) yield* Effect.orDie(send)
      })
      yield* Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
      const used = process.cpuUsage(start)
      return (used.user + used.system) / count
    })
  if (only !== undefined) {
    const c = clients.find((c) => c.name === only)!
    console.log(`${only}: ${(yield* loop(c.send, n)).toFixed(1)} µs CPU/request`)
    return
  }
  for (const c of clients) yield* loop(c.send, Math.min(n, 5000))
  const results = new Map<string, Array<number>>(clients.map((c) => [c.name, []]))
  for (let r = 0; r < rounds; r++) for (const c of clients) results.get(c.name)!.push(yield* loop(c.send, n))
  const us = new Map([...results].map(([k, v]) => [k, median(v)]))
  console.log(
    `${line.name}client overhead: instant in-memory transport, 16 fibers, ${n} requests x ${rounds} alternating rounds, CPU time, medians`
  )
  for (const [k, v] of us) console.log(`  ${k.padEnd(10)} ${v.toFixed(1)} µs CPU/request`)
  const added = us.get("resilient")! - us.get("bare")!
  const addedByHand = us.get("by-hand")! - us.get("bare")!
  console.log(
    `  added by the resilient client: ${added.toFixed(1)} µs; by retryTransient + timeout: ${addedByHand.toFixed(1)} µs`
  )
  report({
    id: `${line.id}client.overhead_per_request`,
    title: `${line.title}CPU the resilient client adds per request (instant in-memory transport)`,
    value: added,
    unit: "µs/op",
    anchor: `${line.name}retryTransient(2) + Effect.timeout, added`,
    anchorValue: addedByHand,
    ratio: added / addedByHand
  })
})

await Effect.runPromise(program)
