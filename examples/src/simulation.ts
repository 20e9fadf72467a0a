/**
 * A long-tail service simulated in-process: 98% of calls answer in 5–15 ms,
 * 2% take 1–3 seconds. The same load is sent with `Strategy.single`,
 * `Strategy.sequential` (attempt deadlines split, so a stuck attempt is cut and
 * retried) and `Strategy.parallel` (hedging), and the latency percentiles and
 * the extra attempts each strategy sent are printed.
 *
 * Time is real: on a busy machine the fast calls come out slower than 15 ms.
 *
 *   pnpm --filter @aio-request/examples exec tsx src/simulation.ts
 */
import { Deadline, Delays, Strategy } from "@aio-request/core"
import { Chunk, Clock, Effect, Exit, Random } from "effect"

const REQUESTS = Number(process.env.DEMO_REQUESTS ?? 2000)
const TIMEOUT = "1 second"

/** One call to the simulated service. */
const call = Effect.gen(function*() {
  const slow = (yield* Random.next) < 0.02
  const latency = slow ? yield* Random.nextRange(1000, 3000) : yield* Random.nextRange(5, 15)
  yield* Effect.sleep(`${latency} millis`)
  return latency
})

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

interface Row {
  readonly name: string
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly failed: number
  readonly extra: number
}

const simulate = (name: string, strategy: Strategy.Strategy) =>
  Effect.gen(function*() {
    let attempts = 0
    const one = Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const deadline = yield* Deadline.fromTimeout(TIMEOUT)
      const exit = yield* Effect.exit(Strategy.run(strategy, {
        attempt: () => Effect.zipRight(Effect.sync(() => attempts++), call),
        classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
        deadline,
        key: "GET /simulated"
      }))
      const elapsed = (yield* Clock.currentTimeMillis) - start
      return { elapsed, ok: Exit.isSuccess(exit) }
    })
    const results = yield* Effect.all(Chunk.makeBy(REQUESTS, () => one), { concurrency: 100 })
    const sorted = results.map((r) => r.elapsed).sort((a, b) => a - b)
    const row: Row = {
      name,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      p999: percentile(sorted, 0.999),
      failed: results.filter((r) => !r.ok).length,
      extra: attempts - REQUESTS
    }
    return row
  })

/** Runs the three strategies over the same load and returns the table's rows. */
export const run = Effect.gen(function*() {
  const rows: Array<Row> = []
  rows.push(yield* simulate("single", Strategy.single))
  rows.push(
    yield* simulate(
      "sequential (3, split deadline)",
      Strategy.sequential({
        attempts: 3,
        delays: Delays.constant(0),
        attemptDeadline: Deadline.splitBetweenAttempts()
      })
    )
  )
  rows.push(
    yield* simulate(
      "parallel (3, hedge at 30/60 ms)",
      Strategy.parallel({ attempts: 3, delays: Delays.linear({ multiplier: "30 millis", jitter: 0 }) })
    )
  )
  return rows
}).pipe(Effect.withRandom(Random.make("aio-request demo")))

/** Prints the rows as a table. */
export const print = (rows: ReadonlyArray<Row>) => {
  console.log(`${REQUESTS} requests per strategy, deadline ${TIMEOUT}; service: 98% 5-15 ms, 2% 1-3 s`)
  console.log("strategy                          p50 ms   p99 ms  p99.9 ms   failed   extra attempts")
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(32)} ${String(Math.round(r.p50)).padStart(7)} ${String(Math.round(r.p99)).padStart(8)} ${
        String(Math.round(r.p999)).padStart(9)
      } ${String(r.failed).padStart(8)} ${String(r.extra).padStart(16)}`
    )
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(run).then(print)
}
