/**
 * Overload scenario: a backend behind `ServerMiddleware.make({ concurrencyLimit })`
 * with an AIMD limit, in its own process (`overloadBackend.ts`: capacity 10
 * requests at 200 ms, about 50 req/s), driven open-loop with a fixed mix of
 * priorities (20% high, 30% normal, 50% low) in three phases:
 *
 * 1. unloaded: 0.5× capacity, the baseline;
 * 2. overload: 2× capacity;
 * 3. recovery: 0.5× capacity again.
 *
 * Per phase and priority: p50 and p99 of the answered requests (200) and the
 * share shed (503). Targets (issue 14): in the overload, high keeps its
 * unloaded p99 within 1.5× while low is shed; after it, the limit comes back
 * to within 10% of where it was before.
 *
 * cd packages/platform && npx tsx bench/overload.ts [--seconds 6] [--capacity 10] [--service 200] [--threshold 260]
 * (also `pnpm --filter @aio-request/examples overload`)
 */
import type { Priority } from "@aio-request/core"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Fiber } from "effect"
import { spawn } from "node:child_process"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { report } from "../../../bench/figure.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const seconds = arg("seconds", 6)
const capacity = arg("capacity", 10)
const service = arg("service", 200)
/** AIMD's latencyThreshold: 1.3 × the service time, so the limit settles near 1.3 × capacity under overload. */
const threshold = arg("threshold", Math.round(service * 1.3))
const capacityRps = capacity * 1000 / service

/** The mix, in a fixed interleaved order: 2 high, 3 normal, 5 low in every 10. */
const mix: ReadonlyArray<Priority.Priority> = [
  "low",
  "normal",
  "high",
  "low",
  "normal",
  "low",
  "high",
  "low",
  "normal",
  "low"
]
const priorities: ReadonlyArray<Priority.Priority> = ["high", "normal", "low"]

interface Answer {
  readonly priority: Priority.Priority
  readonly status: number
  readonly millis: number
}

interface StateSample {
  readonly at: number
  readonly limit: number
}

/** Starts the backend; its URL, its limit samples, and a way to stop it. */
const backend = Effect.acquireRelease(
  Effect.async<{ url: string; states: Array<StateSample>; child: ReturnType<typeof spawn> }, Error>((resume) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(new URL("./overloadBackend.ts", import.meta.url)),
        "--capacity",
        String(capacity),
        "--service",
        String(service),
        "--threshold",
        String(threshold)
      ],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    const states: Array<StateSample> = []
    let buffered = ""
    let started = false
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split("\n")
      buffered = lines.pop()!
      for (const line of lines) {
        const [kind, a] = line.split(" ")
        if (kind === "PORT" && !started) {
          started = true
          resume(Effect.succeed({ url: `http://127.0.0.1:${a}`, states, child }))
        } else if (kind === "STATE") {
          states.push({ at: performance.now(), limit: Number(a) })
        }
      }
    })
    child.on("exit", (code) => {
      if (!started) resume(Effect.fail(new Error(`backend exited with ${code}`)))
    })
  }),
  ({ child }) => Effect.sync(() => child.kill())
)

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN

/** Sends `rps` requests per second, open-loop, for `seconds`; every answer. */
const phase = (url: string, rps: number, seconds: number) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const send = (priority: Priority.Priority) =>
      Effect.suspend(() => {
        const start = performance.now()
        return client.execute(
          HttpClientRequest.get(`${url}/work`).pipe(HttpClientRequest.setHeader("x-request-priority", priority))
        ).pipe(
          Effect.flatMap((response) => Effect.as(response.text, response.status)),
          Effect.scoped,
          Effect.orElseSucceed(() => 0),
          Effect.map((status): Answer => ({ priority, status, millis: performance.now() - start }))
        )
      })
    const count = Math.round(rps * seconds)
    const interval = 1000 / rps
    const start = performance.now()
    const fibers: Array<Fiber.RuntimeFiber<Answer>> = []
    for (let i = 0; i < count; i++) {
      const wait = start + i * interval - performance.now()
      if (wait >= 1) yield* Effect.sleep(wait)
      fibers.push(yield* Effect.fork(send(mix[i % mix.length]!)))
    }
    const end = performance.now()
    const answers = yield* Fiber.joinAll(fibers)
    return { answers, start, end }
  })

interface Row {
  readonly sent: number
  readonly shedPct: number
  readonly errors: number
  readonly p50: number
  readonly p99: number
}

const summarize = (answers: ReadonlyArray<Answer>, priority: Priority.Priority): Row => {
  const mine = answers.filter((a) => a.priority === priority)
  const ok = mine.filter((a) => a.status === 200).map((a) => a.millis).sort((a, b) => a - b)
  const shed = mine.filter((a) => a.status === 503).length
  return {
    sent: mine.length,
    shedPct: mine.length === 0 ? 0 : 100 * shed / mine.length,
    errors: mine.length - ok.length - shed,
    p50: percentile(ok, 0.5),
    p99: percentile(ok, 0.99)
  }
}

/** The mean limit over the last second of [start, end]. */
const limitAt = (states: ReadonlyArray<StateSample>, end: number): number => {
  const last = states.filter((s) => s.at > end - 1000 && s.at <= end)
  return last.reduce((n, s) => n + s.limit, 0) / Math.max(1, last.length)
}

const program = Effect.gen(function*() {
  const { states, url } = yield* backend
  console.log(
    `Overload: backend with capacity ${capacity} × ${service} ms (~${capacityRps} req/s), AIMD limit ` +
      `(latencyThreshold ${threshold} ms) behind ServerMiddleware; mix 20% high, 30% normal, 50% low; ${seconds} s per phase`
  )
  // warm-up: connections, JIT, the limit's first steps
  yield* phase(url, capacityRps / 2, 2)
  const phases = [
    { name: "unloaded (0.5×)", rps: capacityRps / 2 },
    { name: "overload (2×)", rps: capacityRps * 2 },
    { name: "recovery (0.5×)", rps: capacityRps / 2 }
  ]
  const results: Array<{ name: string; rows: Record<Priority.Priority, Row>; limit: number }> = []
  for (const p of phases) {
    const { answers, end } = yield* phase(url, p.rps, seconds)
    const rows = Object.fromEntries(priorities.map((pr) => [pr, summarize(answers, pr)])) as Record<
      Priority.Priority,
      Row
    >
    results.push({ name: p.name, rows, limit: limitAt(states, end) })
  }

  console.log("  phase            priority   sent  shed %  errors   p50 ms   p99 ms   limit (last s)")
  for (const r of results) {
    for (const pr of priorities) {
      const row = r.rows[pr]
      console.log(
        `  ${r.name.padEnd(16)} ${pr.padEnd(8)} ${String(row.sent).padStart(6)} ${
          row.shedPct.toFixed(1).padStart(7)
        } ` +
          `${String(row.errors).padStart(7)} ${row.p50.toFixed(1).padStart(8)} ${row.p99.toFixed(1).padStart(8)}` +
          (pr === "high" ? `   ${r.limit.toFixed(1).padStart(6)}` : "")
      )
    }
  }

  const [unloaded, overload, recovery] = results as [typeof results[0], typeof results[0], typeof results[0]]
  const p99Ratio = overload.rows.high.p99 / unloaded.rows.high.p99
  report({
    id: "shed.high_p99_overload_vs_unloaded",
    title: "Overload 2×: high-priority p99 against its unloaded p99",
    value: p99Ratio,
    unit: "x",
    anchor: "high p99 unloaded (ms)",
    anchorValue: unloaded.rows.high.p99,
    ratio: p99Ratio,
    target: "≤ 1.5×",
    met: p99Ratio <= 1.5
  })
  for (const pr of priorities) {
    report({
      id: `shed.${pr}_shed_pct_overload`,
      title: `Overload 2×: share of ${pr}-priority requests shed`,
      value: overload.rows[pr].shedPct,
      unit: "%",
      ...(pr === "low" ? { target: "low is shed", met: overload.rows.low.shedPct > overload.rows.high.shedPct } : {})
    })
  }
  const recovered = recovery.limit / unloaded.limit
  report({
    id: "shed.limit_recovery",
    title: "Limit after the overload against before it (mean over the phase's last second)",
    value: recovery.limit,
    unit: "requests",
    anchor: "limit before the overload",
    anchorValue: unloaded.limit,
    ratio: recovered,
    target: "within 10%",
    met: Math.abs(recovered - 1) <= 0.1
  })
  console.log(
    `  high p99 overload / unloaded: ${p99Ratio.toFixed(2)}× (target ≤ 1.5×); ` +
      `limit ${unloaded.limit.toFixed(1)} before, ${overload.limit.toFixed(1)} in, ${
        recovery.limit.toFixed(1)
      } after ` +
      `(${(100 * (recovered - 1)).toFixed(1)}%, target within 10%)`
  )
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)))
