/**
 * Overload scenario: a backend behind `ServerMiddleware.make({ concurrencyLimit })`
 * with an AIMD limit, in its own process (`support/overloadBackend.ts`: capacity 10
 * requests at 1 s, 10 req/s: a rate this shared 2-core machine can drive
 * without its own CPU becoming the bottleneck; `--service 200` is 5× that), driven open-loop with a fixed mix of
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
 * cd packages/platform && npx tsx bench/overload.ts [--seconds 10] [--capacity 10] [--service 1000] [--threshold 1300]
 * (also `pnpm --filter @aio-request/examples overload`)
 */
import type { Priority } from "@aio-request/core"
import { ConcurrencyLimit } from "@aio-request/core"
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
/** `pnpm bench --quick` sets BENCH_QUICK=1: 3 s per phase, a smoke run. */
const seconds = arg("seconds", process.env.BENCH_QUICK === "1" ? 3 : 10)
const capacity = arg("capacity", 10)
const service = arg("service", 1000)
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
        fileURLToPath(new URL("./support/overloadBackend.ts", import.meta.url)),
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

/**
 * The same scenario in virtual time, without HTTP or a runtime: the library's
 * own `aimd` limit and `allowance` rule, arrivals at exact intervals, the
 * backend's latency formula. What the algorithm does when nothing else is
 * noisy; the real run above shows what this machine adds.
 */
const simulate = () => {
  const limit = ConcurrencyLimit.aimd({ initial: capacity, max: 1000, latencyThreshold: `${threshold} millis` })
  let state = limit.initial
  let inFlight = 0
  const completions: Array<{ at: number; admittedWith: number; latency: number }> = []
  const answers: Array<Answer & { phase: number }> = []
  const limits: Array<{ at: number; limit: number }> = []
  const complete = (until: number) => {
    while (completions.length > 0 && completions[0]!.at <= until) {
      const done = completions.shift()!
      inFlight--
      state = limit.update(state, {
        startMillis: done.at - done.latency,
        latencyMillis: done.latency,
        inFlight: done.admittedWith,
        outcome: "success"
      })
      limits.push({ at: done.at, limit: state.limit })
    }
  }
  const rates = [capacityRps / 2, capacityRps / 2, capacityRps * 2, capacityRps / 2]
  const lengths = [2, seconds, seconds, seconds]
  const ends: Array<number> = []
  let t = 0
  let i = 0
  rates.forEach((rps, phaseIndex) => {
    const end = t + lengths[phaseIndex]! * 1000
    for (; t < end; t += 1000 / rps, i++) {
      complete(t)
      const priority = mix[i % mix.length]!
      if (inFlight < ConcurrencyLimit.allowance(state.limit, priority, { high: 1, normal: 0.9, low: 0.5 })) {
        inFlight++
        const latency = service * Math.max(1, inFlight / capacity)
        const at = t + latency
        const index = completions.findIndex((c) => c.at > at)
        completions.splice(index === -1 ? completions.length : index, 0, { at, admittedWith: inFlight, latency })
        answers.push({ phase: phaseIndex, priority, status: 200, millis: latency })
      } else {
        answers.push({ phase: phaseIndex, priority, status: 503, millis: 0 })
      }
    }
    ends.push(end)
  })
  complete(Infinity)
  const limitBefore = (end: number) => {
    const last = limits.filter((l) => l.at > end - 1000 && l.at <= end)
    return last.reduce((n, l) => n + l.limit, 0) / Math.max(1, last.length)
  }
  return [1, 2, 3].map((phaseIndex) => ({
    rows: Object.fromEntries(
      priorities.map((pr) => [pr, summarize(answers.filter((a) => a.phase === phaseIndex), pr)])
    ) as Record<Priority.Priority, Row>,
    limit: limitBefore(ends[phaseIndex]!)
  }))
}

const phaseNames = ["unloaded (0.5×)", "overload (2×)", "recovery (0.5×)"]

interface PhaseResult {
  readonly rows: Record<Priority.Priority, Row>
  /** The mean limit over the phase's last second. */
  readonly limit: number
}

/** Prints the table and reports the figures, `id` telling the simulation from the real run. */
const conclude = (label: string, id: string, results: ReadonlyArray<PhaseResult>) => {
  console.log(`  ${label}`)
  console.log("  phase            priority   sent  shed %  errors   p50 ms   p99 ms   limit (last s)")
  results.forEach((r, index) => {
    for (const pr of priorities) {
      const row = r.rows[pr]
      console.log(
        `  ${phaseNames[index]!.padEnd(16)} ${pr.padEnd(8)} ${String(row.sent).padStart(6)} ` +
          `${row.shedPct.toFixed(1).padStart(7)} ${String(row.errors).padStart(7)} ${row.p50.toFixed(1).padStart(8)} ` +
          `${row.p99.toFixed(1).padStart(8)}` + (pr === "high" ? `   ${r.limit.toFixed(1).padStart(6)}` : "")
      )
    }
  })
  const [unloaded, overload, recovery] = results as [PhaseResult, PhaseResult, PhaseResult]
  const p99Ratio = overload.rows.high.p99 / unloaded.rows.high.p99
  report({
    id: `${id}.high_p99_overload_vs_unloaded`,
    title: `${label}: high-priority p99 at 2× capacity against its unloaded p99`,
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
      id: `${id}.${pr}_shed_pct_overload`,
      title: `${label}: share of ${pr}-priority requests shed at 2× capacity`,
      value: overload.rows[pr].shedPct,
      unit: "%",
      ...(pr === "low"
        ? { target: "low is shed first", met: overload.rows.low.shedPct >= overload.rows.high.shedPct }
        : {})
    })
  }
  const recovered = recovery.limit / unloaded.limit
  report({
    id: `${id}.limit_recovery`,
    title: `${label}: limit after the overload against before it (mean over each phase's last second)`,
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
}

const program = Effect.gen(function*() {
  console.log(
    `Overload: backend with capacity ${capacity} × ${service} ms (~${capacityRps} req/s), AIMD limit ` +
      `(latencyThreshold ${threshold} ms) behind ServerMiddleware; mix 20% high, 30% normal, 50% low; ${seconds} s per phase`
  )
  conclude("simulation (virtual time, no HTTP)", "shed.simulated", simulate())

  const { states, url } = yield* backend
  // warm-up: connections, JIT, the limit's first steps
  yield* phase(url, capacityRps / 2, 2)
  const results: Array<PhaseResult> = []
  for (const rps of [capacityRps / 2, capacityRps * 2, capacityRps / 2]) {
    const { answers, end } = yield* phase(url, rps, seconds)
    const rows = Object.fromEntries(priorities.map((pr) => [pr, summarize(answers, pr)])) as Record<
      Priority.Priority,
      Row
    >
    results.push({ rows, limit: limitAt(states, end) })
  }
  conclude("real HTTP, backend in its own process", "shed", results)
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)))
