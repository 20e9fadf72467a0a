/**
 * Tail at Scale on the Effect 4 line: examples/bench/tail-at-scale.ts (which says what is
 * reproduced, the backend, the strategies and the policy) with the Effect 4 `ResilientHttpClient`
 * over `@effect/platform-node` 4's undici client, under Node 22. The same backend process
 * (examples/bench/support/backend.ts), the same open-loop load, the same strategies and budget,
 * the same p50/p99/p99.9 figures, with ids prefixed `effect4.`. (The Effect 3 bench's `--trace`
 * is not ported: it explains single slow requests, and runs on Effect 3.)
 *
 * cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/tailAtScale.ts
 *   [--requests 20000] [--rate 200] [--warmup 3000] [--closed 32] [--budget 0.1]
 *   [--percentile 0.999] [--min 5] [--max 30] [--window 300]
 *   [--strategies single,hedge_p95,hedge_percentile]   (only these; no figures are reported)
 */
import { Delays, RetryBudget, Strategy } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Deferred, Duration, Effect, Exit } from "effect"
import { spawn } from "node:child_process"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { quick, report, type Series } from "../../../bench/figure.js"
import {
  drawnQuantile,
  FAST_MS,
  quantile,
  SLOW_MS,
  SLOW_SHARE,
  type Stats
} from "../../../examples/bench/support/backend.js"
import { HttpRequest, ResilientHttpClient } from "../src/index.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const requests = arg("requests", quick ? 1_000 : 20_000)
const warmup = arg("warmup", quick ? 300 : 3_000)
const rate = arg("rate", 200)
const closed = arg("closed", 0)
const percentileOption = arg("percentile", 0.999)
const budgetRatio = arg("budget", 0.1)
const percentileMin = arg("min", 5)
const percentileMax = arg("max", 30)
const percentileWindow = arg("window", 300)
const deadline = "5 seconds"
const only = (() => {
  const at = process.argv.indexOf("--strategies")
  return at === -1 ? undefined : new Set(process.argv[at + 1]!.split(","))
})()

/** Starts the backend in its own process; its URL, and a finalizer that stops it. */
const backend = Effect.acquireRelease(
  Effect.callback<{ readonly url: string; readonly stop: () => void }, Error>((resume) => {
    const child = spawn(process.execPath, [
      ...process.execArgv,
      fileURLToPath(new URL("../../../examples/bench/support/backend.ts", import.meta.url))
    ], {
      stdio: ["pipe", "pipe", "inherit"]
    })
    const stop = () => {
      child.stdin.end()
      child.kill()
    }
    child.once("error", (error) => resume(Effect.fail(error)))
    createInterface({ input: child.stdout }).once("line", (line) => {
      const port = /^PORT (\d+)$/.exec(line)?.[1]
      resume(
        port === undefined ? Effect.fail(new Error(`backend said: ${line}`)) : Effect.succeed({
          url: `http://127.0.0.1:${port}`,
          stop
        })
      )
    })
  }),
  ({ stop }) => Effect.sync(stop)
)

interface Run {
  readonly latencies: Float64Array
  readonly failed: number
  readonly seconds: number
  readonly cpuMicros: number
  readonly meanInFlight: number
  /** The client's longest event-loop stall in the run (ms): a hedge due meanwhile goes out that late. */
  readonly maxLagMillis: number
}

/** Sends `total` requests, open loop at `rate` per second or closed loop with `closed` in flight. */
const load = (send: (i: number) => Effect.Effect<unknown, unknown>, total: number): Effect.Effect<Run> =>
  Effect.gen(function*() {
    const latencies = new Float64Array(total)
    let failed = 0
    let inFlight = 0
    let inFlightSum = 0
    // completions are counted, not joined: holding 20,000 finished fibers for a join kept
    // their state alive to the end of the run (a 275 MiB heap)
    let finished = 0
    const allDone = yield* Deferred.make<void>()
    const one = (i: number) =>
      Effect.suspend(() => {
        inFlightSum += inFlight++
        const start = performance.now()
        return Effect.map(Effect.exit(send(i)), (exit) => {
          latencies[i] = performance.now() - start
          inFlight--
          if (Exit.isFailure(exit)) failed++
          if (++finished === total) Deferred.doneUnsafe(allDone, Exit.void)
        })
      })
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const cpu = process.cpuUsage()
    const start = performance.now()
    if (closed > 0) {
      yield* Effect.forEach(Array.from({ length: total }, (_, i) => i), one, { concurrency: closed, discard: true })
    } else {
      let sent = 0
      while (sent < total) {
        const due = Math.min(total, Math.floor((performance.now() - start) * rate / 1000) + 1)
        for (; sent < due; sent++) yield* Effect.forkChild(one(sent))
        // until the next request is due (at least 1 ms: timers are no finer)
        const next = start + (sent * 1000) / rate
        yield* Effect.sleep(Duration.millis(Math.max(1, Math.floor(next - performance.now()))))
      }
      yield* Deferred.await(allDone)
    }
    const used = process.cpuUsage(cpu)
    lag.disable()
    return {
      latencies,
      failed,
      seconds: (performance.now() - start) / 1000,
      cpuMicros: (used.user + used.system) / total,
      maxLagMillis: lag.max / 1e6,
      meanInFlight: inFlightSum / total
    }
  })

const PLOTTED = [0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999]

interface Row {
  readonly name: string
  readonly label: string
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly max: number
  readonly extraPercent: number
  /** The share of requests the backend drew slow on their first attempt: the floor of `extraPercent`. */
  readonly slowPercent: number
  readonly failed: number
  readonly cpuMicros: number
  readonly meanInFlight: number
  readonly maxLagMillis: number
  readonly rate: number
  readonly series: Series
}

const fetchJson = <A>(url: string, method: "GET" | "POST" = "GET") =>
  Effect.tryPromise(() => fetch(url, { method }).then((r) => r.text())).pipe(
    Effect.map((text) => (method === "GET" ? JSON.parse(text) : undefined) as A),
    Effect.orDie
  )

const program = Effect.gen(function*() {
  const { url } = yield* backend
  const p95 = drawnQuantile(0.95)
  // the percentile's delays, kept so that the run can say which delay it learnt
  let learnt: Delays.Delays | undefined
  const setups: ReadonlyArray<{ name: string; label: string; strategy: Effect.Effect<Strategy.Strategy> }> = [
    { name: "single", label: "single", strategy: Effect.succeed(Strategy.single) },
    {
      name: "hedge_p95",
      label: `parallel(2), hedge at ${p95.toFixed(1)} ms (backend p95)`,
      strategy: Effect.succeed(
        Strategy.parallel({ attempts: 2, delays: Delays.constant(Duration.millis(p95)) })
      )
    },
    {
      name: "hedge_percentile",
      label: `parallel(2), hedge at Delays.percentile(${percentileOption}, ${percentileMin}-${percentileMax} ms)`,
      strategy: Effect.map(
        Delays.percentile({
          percentile: percentileOption,
          min: Duration.millis(percentileMin),
          max: Duration.millis(percentileMax),
          window: Duration.seconds(percentileWindow)
        }),
        (delays) => {
          learnt = delays
          return Strategy.parallel({ attempts: 2, delays })
        }
      )
    }
  ]

  const mode = closed > 0 ? `closed loop, ${closed} in flight` : `open loop, ${rate} requests/s`
  console.log(
    `Tail at Scale on Effect 4 (node ${process.version}): backend in its own process, ${(1 - SLOW_SHARE) * 100}% in ${
      FAST_MS.join("-")
    } ms, ` +
      `${SLOW_SHARE * 100}% in ${SLOW_MS.join("-")} ms; ${requests} requests per strategy after ${warmup} ` +
      `of warm-up, ${mode}, deadline ${deadline}, RetryBudget ratio ${budgetRatio}, minPerSecond 0`
  )
  console.log(
    "strategy                                                 p50 ms  p99 ms  p99.9 ms  max ms  extra %  slow %  failed  " +
      "cpu µs/req  in flight  stall ms"
  )
  const rows: Array<Row> = []
  for (const setup of setups) {
    if (only !== undefined && !only.has(setup.name)) continue
    const budget = yield* RetryBudget.make({ ratio: budgetRatio, minPerSecond: 0, ttl: "10 seconds" })
    const client = yield* ResilientHttpClient.make({
      endpoint: url,
      strategy: yield* setup.strategy,
      retryBudget: budget,
      timeout: deadline
    })
    const send = (i: number) =>
      Effect.flatMap(client.execute(HttpRequest.get("/items/{id}", { path: { id: i } })), (response) => response.text)
    yield* load(send, warmup)
    yield* fetchJson(`${url}/reset`, "POST")
    const run = yield* load(send, requests)
    const stats = yield* fetchJson<Stats>(`${url}/stats`)
    const sorted = run.latencies.slice().sort()
    const row: Row = {
      name: setup.name,
      label: setup.label,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      max: sorted[sorted.length - 1] ?? NaN,
      extraPercent: (stats.arrived - requests) / requests * 100,
      slowPercent: stats.slowFirst / requests * 100,
      failed: run.failed,
      cpuMicros: run.cpuMicros,
      meanInFlight: run.meanInFlight,
      maxLagMillis: run.maxLagMillis,
      rate: requests / run.seconds,
      series: { name: setup.label, points: PLOTTED.map((p) => [p, quantile(sorted, p)] as const) }
    }
    rows.push(row)
    console.log(
      [
        row.label.padEnd(56),
        row.p50.toFixed(1).padStart(6),
        row.p99.toFixed(0).padStart(7),
        row.p999.toFixed(0).padStart(9),
        row.max.toFixed(0).padStart(7),
        row.extraPercent.toFixed(2).padStart(8),
        row.slowPercent.toFixed(2).padStart(7),
        String(row.failed).padStart(7),
        row.cpuMicros.toFixed(0).padStart(11),
        row.meanInFlight.toFixed(1).padStart(10),
        row.maxLagMillis.toFixed(0).padStart(10)
      ].join(" ")
    )
    if (closed === 0 && row.rate < rate * 0.9) {
      console.log(
        `  ! only ${row.rate.toFixed(0)} of ${rate} requests/s were sent: the client could not keep up (the machine ` +
          `is busy, or --rate is too high for it), so these latencies are queueing in the client, not the backend's`
      )
    }
    if (row.maxLagMillis > 50) {
      console.log(
        `  ! the client's event loop stalled for up to ${row.maxLagMillis.toFixed(0)} ms: hedges due meanwhile went ` +
          `out that late, and ordinary calls looked slow to it (see docs/performance.md, "Why p99.9 stayed high")`
      )
    }
    if (setup.name === "hedge_percentile" && learnt !== undefined) {
      const delay = yield* learnt.delay(1, "GET /items/{id}")
      console.log(`  (the hedge delay learnt by the end: ${Duration.toMillis(delay).toFixed(1)} ms)`)
    }
    if (setup.name === "single") {
      console.log(
        `  (backend drew p50 ${stats.drawn.p50.toFixed(1)} ms, p95 ${stats.drawn.p95.toFixed(1)} ms, ` +
          `p99.9 ${stats.drawn.p999.toFixed(0)} ms; ${(requests / run.seconds).toFixed(0)} requests/s achieved)`
      )
    }
  }

  // a partial run (--strategies) has no single to compare with: no figures
  if (only !== undefined) return
  const single = rows[0]!
  const series = rows.map((row) => row.series)
  // a run whose client could not send at the rate asked measured its own queueing: no verdicts
  const valid = closed > 0 || rows.every((row) => row.rate >= rate * 0.9)
  const verdict = (met: boolean) => valid ? { met } : {}
  const note = valid ? "" : " [client could not keep up with the rate: not a valid measurement]"
  for (const row of rows.slice(1)) {
    const reduction = single.p999 / row.p999
    const which = row.name === "hedge_p95" ? "fixed hedge at the backend's p95" : "hedge at Delays.percentile"
    report({
      id: `effect4.tail.${row.name}.p999_reduction`,
      title: `Effect 4: Tail at Scale, ${which}: single's p99.9 / hedged p99.9 (${single.p999.toFixed(0)} → ${
        row.p999.toFixed(0)
      } ms; the client's longest stall ${row.maxLagMillis.toFixed(0)} ms)${note}`,
      value: reduction,
      unit: "x",
      anchor: "Dean & Barroso: 1,800 → 74 ms",
      anchorValue: 1800 / 74,
      ratio: reduction / (1800 / 74),
      target: "≥ 24× at ≤ 2% extra",
      ...verdict(reduction >= 1800 / 74 && row.extraPercent <= 2),
      ...(row.name === "hedge_percentile" ?
        {
          series,
          plot: {
            title: `Effect 4: Tail at Scale: latency by percentile, ${requests} requests per strategy (${mode})`,
            x: "percentile",
            y: "log",
            xLabel: "percentile",
            yLabel: "latency (ms)"
          }
        } as const :
        {})
    })
    report({
      id: `effect4.tail.${row.name}.extra_requests`,
      title: `Effect 4: Tail at Scale, ${which}: extra requests counted at the backend (the floor: it drew ${
        row.slowPercent.toFixed(2)
      }% of first attempts slow)${note}`,
      value: row.extraPercent,
      unit: "%",
      anchor: "Dean & Barroso",
      anchorValue: 2,
      ratio: row.extraPercent / 2,
      target: "≤ 2%",
      ...verdict(row.extraPercent <= 2)
    })
    report({
      id: `effect4.tail.${row.name}.p50_ratio`,
      title: `Effect 4: Tail at Scale, ${which}: hedged p50 / single's p50 (${single.p50.toFixed(1)} → ${
        row.p50.toFixed(1)
      } ms)${note}`,
      value: row.p50 / single.p50,
      unit: "x",
      anchor: "single p50 (ms)",
      anchorValue: single.p50,
      ratio: row.p50 / single.p50,
      target: "≤ 1.1",
      ...verdict(row.p50 / single.p50 <= 1.1)
    })
  }
  report({
    id: "effect4.tail.single.p999",
    title: "Effect 4: Tail at Scale, single: p99.9 (the backend's own tail)",
    value: single.p999,
    unit: "ms",
    anchor: "Dean & Barroso, unhedged",
    anchorValue: 1800,
    ratio: single.p999 / 1800
  })
  report({
    id: "effect4.tail.client_cpu",
    title: "Effect 4: Tail at Scale: client CPU per request, hedged by percentile / single",
    value: rows[2]!.cpuMicros,
    unit: "µs/req",
    anchor: "single",
    anchorValue: single.cpuMicros,
    ratio: rows[2]!.cpuMicros / single.cpuMicros
  })
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

await Effect.runPromise(program)
