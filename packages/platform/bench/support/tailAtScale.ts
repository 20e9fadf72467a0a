/**
 * Tail at Scale, reproduced (Dean and Barroso, CACM 2013: hedging a request
 * after a short delay cut the 99.9th percentile from 1,800 ms to 74 ms for 2%
 * more requests).
 *
 * The backend (`examples/bench/support/backend.ts`) runs in its own process: 98% of requests in
 * 2–10 ms, 2% in 1–2 s, drawn per request. The resilient client (undici) sends
 * the same open-loop load to it with three strategies, each under its own
 * `RetryBudget` and a 5 s deadline (far above the tail, so `single`'s tail is
 * the backend's):
 *
 * - `single`;
 * - `parallel`, 2 attempts, the hedge after a fixed delay at the backend's p95;
 * - `parallel`, 2 attempts, the hedge after `Delays.percentile` (learnt from
 *   the latencies the client sees).
 *
 * Extra requests are counted at the backend, beside the share of requests it
 * drew slow on their first attempt (the floor for a policy that rescues them
 * all). Each strategy first runs a warm-up (JIT, connections, the percentile's
 * histogram), then the measured requests.
 *
 * The policy (why, with counts: docs/performance.md, "Tail at Scale"): the
 * hedge at `Delays.percentile({ percentile: 0.999, min: 5 ms, max: 30 ms })`,
 * the 99.9th percentile of the latencies hedging leaves (the slow attempts lose
 * and are never observed), so that ordinary calls are almost never hedged; and
 * `RetryBudget.make({ ratio: 0.1, minPerSecond: 0 })`, a cap for overload with
 * room above the 2% the hedges need: a budget sized at the expected hedge rate
 * refuses the hedges of the slow requests that follow any burst.
 *
 * Written once for both lines (copied to effect4/platform/bench/support, see `line.ts`; the
 * figures' ids on Effect 4 are prefixed `effect4.`), run by examples/bench/tail-at-scale.ts on
 * Effect 3 and effect4/platform/bench/tailAtScale.ts on Effect 4 (Node 22):
 *
 * cd examples && npx tsx bench/tail-at-scale.ts [--requests 20000] [--rate 200]
 *   [--warmup 3000] [--closed 32] [--budget 0.1]
 *   [--percentile 0.999] [--min 5] [--max 30] [--window 300]   (the percentile's delay: clamp(pN, min, max) ms, over a window of s)
 *   [--strategies single,hedge_p95,hedge_percentile]   (only these; no figures are reported)
 *   [--trace]   (per request: when each attempt was sent, what the budget refused; explains the requests above 100 ms)
 *
 * `--closed N` replaces the open-loop arrivals with N requests always in flight. Each row also
 * prints the client's longest event-loop stall (`stall ms`): a hedge due meanwhile went out that
 * late, so a run with long stalls measures the client more than hedging.
 */
import { Delays, RetryBudget, Strategy } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Deferred, Duration, Effect, Exit } from "effect"
import { spawn } from "node:child_process"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { quick, report, type Series } from "../../../../bench/figure.js"
import {
  type Arrival,
  drawnQuantile,
  FAST_MS,
  quantile,
  SLOW_MS,
  SLOW_SHARE,
  type Stats
} from "../../../../examples/bench/support/backend.js"
import { HttpRequest, ResilientHttpClient } from "../../src/index.js"
import { callback, fork, type HttpClientRequest, line, requestId, succeedUnsafe, withRequestId } from "./line.js"

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
/** `--trace`: for every measured request, when each attempt was sent and what the budget refused. */
const tracing = process.argv.includes("--trace")

/** What `--trace` records per request id (index into the measured run). */
interface Trace {
  readonly start: Float64Array
  readonly delay: Float64Array
  readonly refused: Uint8Array
  readonly sends: Array<Array<number>>
}
const newTrace = (n: number): Trace => ({
  start: new Float64Array(n).fill(NaN),
  delay: new Float64Array(n).fill(NaN),
  refused: new Uint8Array(n),
  sends: Array.from({ length: n }, () => [])
})
let trace: Trace | undefined

/** `delays`, recording the delay chosen for each traced request. */
const tracedDelays = (delays: Delays.Delays): Delays.Delays =>
  tracing ?
    {
      delay: (attempt, key) =>
        Effect.tap(delays.delay(attempt, key), (delay) =>
          Effect.map(requestId, (id) => {
            if (trace !== undefined && id >= 0) trace.delay[id] = Duration.toMillis(delay)
          })),
      ...(delays.observe === undefined ? {} : { observe: delays.observe })
    } :
    delays

/** `budget`, counting the withdrawals it refuses per traced request. */
const tracedBudget = (budget: RetryBudget.RetryBudget.Service): RetryBudget.RetryBudget.Service =>
  tracing ?
    {
      deposit: budget.deposit,
      tryWithdraw: Effect.tap(budget.tryWithdraw, (ok) =>
        ok ? Effect.void : Effect.map(requestId, (id) => {
          if (trace !== undefined && id >= 0) trace.refused[id]!++
        }))
    } :
    budget

/** Records when each attempt of a traced request is sent (the client's `enrich` runs just before). */
const traceSend = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.map(requestId, (id) => {
    if (trace !== undefined && id >= 0) trace.sends[id]!.push(performance.now())
    return request
  })

/** What `--trace` found: the slow requests (> 100 ms), and why each one was slow. */
const explain = (t: Trace, latencies: Float64Array, arrivals: ReadonlyArray<Arrival>) => {
  const byId = new Map<number, Array<Arrival>>()
  for (const arrival of arrivals) {
    let list = byId.get(arrival.id)
    if (list === undefined) byId.set(arrival.id, list = [])
    list.push(arrival)
  }
  const slowDraw = (a: Arrival | undefined) => a !== undefined && a.drawn >= 100
  const lateness: Array<number> = []
  // hedges sent for a first attempt drawn fast: how long before the hedge left the client had the
  // backend already sent the first attempt's answer (positive: it was waiting to be read)
  const waiting: Array<number> = []
  // (hedge's arrival - first's arrival at the backend) - (hedge's send - first's send at the client):
  // the time a hedge spent between `enrich` and the backend beyond what the first attempt spent
  // (connection pool, event loop)
  const transit: Array<number> = []
  let hedges = 0
  let wasted = 0
  let refused = 0
  for (let i = 0; i < latencies.length; i++) {
    const sends = t.sends[i]!
    refused += t.refused[i]!
    if (sends.length >= 2) {
      hedges++
      lateness.push(sends[1]! - t.start[i]! - t.delay[i]!)
      const arrived = byId.get(i)
      if (arrived !== undefined && arrived.length >= 2) {
        transit.push((arrived[1]!.at - arrived[0]!.at) - (sends[1]! - sends[0]!))
      }
      const first = byId.get(i)?.[0]
      if (!slowDraw(first)) {
        wasted++
        if (first !== undefined) waiting.push(performance.timeOrigin + sends[1]! - (first.at + first.drawn))
      }
    }
  }
  lateness.sort((a, b) => a - b) // ascending, for quantile
  transit.sort((a, b) => a - b)
  waiting.sort((a, b) => a - b)
  const answered = waiting.filter((w) => w > 1).length
  console.log(`  trace: ${arrivals.length} arrivals at the backend for ${byId.size} ids`)
  console.log(
    `  trace: ${hedges} hedges sent (${wasted} for a first attempt drawn fast), ${refused} refused by the budget; ` +
      `hedge sent after its delay by p50 ${quantile(lateness, 0.5).toFixed(1)} ms, p99 ${
        quantile(lateness, 0.99).toFixed(1)
      } ms, ` +
      `max ${quantile(lateness, 1).toFixed(1)} ms`
  )
  console.log(
    `  trace: of the ${waiting.length} hedges for a first attempt drawn fast, ${answered} left the client more than 1 ms ` +
      `after the backend had answered that first attempt (the answer was waiting to be read; p50 ${
        quantile(waiting, 0.5).toFixed(1)
      } ms, max ${quantile(waiting, 1).toFixed(1)} ms)`
  )
  console.log(
    `  trace: a hedge's way to the backend, beyond the first attempt's: p50 ${quantile(transit, 0.5).toFixed(1)} ms, ` +
      `p99 ${quantile(transit, 0.99).toFixed(1)} ms, max ${
        quantile(transit, 1).toFixed(1)
      } ms (${transit.length} hedges arrived)`
  )
  // the requests whose first attempt was drawn slow: what became of each
  const fates = new Map<string, number>()
  const refusedAt = new Map<number, number>()
  for (let i = 0; i < latencies.length; i++) {
    if (t.refused[i]! > 0) {
      const second = Math.floor((t.start[i]! - t.start[0]!) / 1000)
      refusedAt.set(second, (refusedAt.get(second) ?? 0) + 1)
    }
    const arrived = byId.get(i) ?? []
    if (!slowDraw(arrived[0])) continue
    const fate = t.sends[i]!.length >= 2
      ? (latencies[i]! > 100 ? "hedged, still slow" : "hedged, rescued")
      : t.refused[i]! > 0
      ? "refused"
      : "not hedged, not refused"
    fates.set(fate, (fates.get(fate) ?? 0) + 1)
  }
  console.log(`  trace: first attempt drawn slow: ${[...fates].map(([k, n]) => `${n} ${k}`).join(", ")}`)
  console.log(
    `  trace: requests refused a hedge, by second of the run: ${
      [...refusedAt].map(([second, n]) => `${second}s ${n}`).join(", ") || "none"
    }`
  )
  const slow = Array.from(latencies.keys()).filter((i) => latencies[i]! > 100).sort((a, b) =>
    latencies[b]! - latencies[a]!
  )
  const kinds = new Map<string, number>()
  for (const i of slow) {
    const sends = t.sends[i]!
    const arrived = byId.get(i) ?? []
    const kind = sends.length < 2
      ? (t.refused[i]! > 0 ? "hedge refused by the budget" : "no hedge sent, not refused")
      : arrived.length < 2
      ? "hedge sent, not arrived"
      : slowDraw(arrived[0]) && slowDraw(arrived[1])
      ? "both attempts drawn slow"
      : "hedge sent and drawn fast, still slow"
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  console.log(`  trace: ${slow.length} requests above 100 ms: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}`)
  for (const i of slow.slice(0, 30)) {
    const sends = t.sends[i]!
    const arrived = byId.get(i) ?? []
    console.log(
      `    #${i} at ${((t.start[i]! - t.start[0]!) / 1000).toFixed(1)} s: ${latencies[i]!.toFixed(0)} ms, delay ${
        t.delay[i]!.toFixed(1)
      } ms, sent at [${sends.map((s) => (s - t.start[i]!).toFixed(1)).join(", ")}] ms, refused ${t.refused[i]}, ` +
        `drawn [${arrived.map((a) => a.drawn.toFixed(0)).join(", ")}] ms, arrived ${
          arrived.length > 1 ? `${(arrived[1]!.at - arrived[0]!.at).toFixed(1)} ms apart` : "once"
        }`
    )
  }
}

/** Starts the backend in its own process; its URL, and a finalizer that stops it. */
const backend = Effect.acquireRelease(
  callback<{ readonly url: string; readonly stop: () => void }, Error>((resume) => {
    const child = spawn(process.execPath, [
      ...process.execArgv,
      fileURLToPath(new URL("../../../../examples/bench/support/backend.ts", import.meta.url))
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
        if (trace !== undefined) trace.start[i] = start
        return Effect.map(Effect.exit(tracing ? withRequestId(send(i), i) : send(i)), (exit) => {
          latencies[i] = performance.now() - start
          inFlight--
          if (Exit.isFailure(exit)) failed++
          if (++finished === total) succeedUnsafe(allDone)
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
        for (; sent < due; sent++) yield* fork(one(sent))
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
        Strategy.parallel({ attempts: 2, delays: tracedDelays(Delays.constant(Duration.millis(p95))) })
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
          return Strategy.parallel({ attempts: 2, delays: tracedDelays(delays) })
        }
      )
    }
  ]

  const mode = closed > 0 ? `closed loop, ${closed} in flight` : `open loop, ${rate} requests/s`
  console.log(
    `${line.name}Tail at Scale (node ${process.version}): backend in its own process, ${(1 - SLOW_SHARE) * 100}% in ${
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
      retryBudget: tracedBudget(budget),
      timeout: deadline,
      ...(tracing ? { enrich: traceSend } : {})
    })
    const send = (i: number) =>
      Effect.flatMap(client.execute(HttpRequest.get("/items/{id}", { path: { id: i } })), (response) => response.text)
    yield* load(send, warmup)
    yield* fetchJson(`${url}/reset`, "POST")
    if (tracing) trace = newTrace(requests)
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
    if (trace !== undefined) {
      explain(trace, run.latencies, yield* fetchJson<ReadonlyArray<Arrival>>(`${url}/trace`))
      trace = undefined
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
      id: `${line.id}tail.${row.name}.p999_reduction`,
      title: `${line.title}Tail at Scale, ${which}: single's p99.9 / hedged p99.9 (${single.p999.toFixed(0)} → ${
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
            title: `${line.title}Tail at Scale: latency by percentile, ${requests} requests per strategy (${mode})`,
            x: "percentile",
            y: "log",
            xLabel: "percentile",
            yLabel: "latency (ms)"
          }
        } as const :
        {})
    })
    report({
      id: `${line.id}tail.${row.name}.extra_requests`,
      title: `${line.title}Tail at Scale, ${which}: extra requests counted at the backend (the floor: it drew ${
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
      id: `${line.id}tail.${row.name}.p50_ratio`,
      title: `${line.title}Tail at Scale, ${which}: hedged p50 / single's p50 (${single.p50.toFixed(1)} → ${
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
    id: `${line.id}tail.single.p999`,
    title: `${line.title}Tail at Scale, single: p99.9 (the backend's own tail)`,
    value: single.p999,
    unit: "ms",
    anchor: "Dean & Barroso, unhedged",
    anchorValue: 1800,
    ratio: single.p999 / 1800
  })
  report({
    id: `${line.id}tail.client_cpu`,
    title: `${line.title}Tail at Scale: client CPU per request, hedged by percentile / single`,
    value: rows[2]!.cpuMicros,
    unit: "µs/req",
    anchor: "single",
    anchorValue: single.cpuMicros,
    ratio: rows[2]!.cpuMicros / single.cpuMicros
  })
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

/** Runs the benchmark with the command line's options. */
export const run = (): Promise<void> => Effect.runPromise(program)
