/**
 * Overload scenario (issue 14): a backend behind `ServerMiddleware.make({ concurrencyLimit })`
 * with an AIMD limit, driven open-loop with a fixed mix of priorities (20% high,
 * 30% normal, 50% low) in phases:
 *
 * 0. warm-up: 5 s at 0.5× capacity (connections, JIT, the limit's first steps), not reported;
 * 1. unloaded: 0.5× capacity, the baseline;
 * 2. overload: 2× capacity;
 * 3. recovery: 0.5× capacity again.
 *
 * The backend (`support/overloadModel.ts`) serves `capacity` requests at
 * `service` ms each on processors shared by every request in flight (`--pool`:
 * a pool of workers with a FIFO queue instead): latency grows with what is in
 * flight past `capacity`, which is what the limit's `latencyThreshold` sees.
 * The limit is `aimd({ initial: capacity, latencyThreshold: 1.3 × service,
 * decayHalfLife: service })`.
 *
 * The scenario runs twice with the same model and limit: first in virtual time
 * (`TestClock`: the library's `ConcurrencyLimit.make` and `admit` around the
 * same backend Effect, arrivals at exact instants, no HTTP, so no noise), then over
 * real HTTP against the backend in its own process (`support/overloadBackend.ts`).
 * A third, virtual-time run without `decayHalfLife` (Netflix's AIMD) shows
 * what the decay changes; it is printed, not reported.
 *
 * Per phase and priority: p50 and p99 of the answered requests (200) and the
 * share shed (503). Targets (issue 14): in the overload, high keeps its
 * unloaded p99 within 1.5× while low is shed; after it, the limit comes back
 * to within 10% of where it was before (the mean limit over each phase's last
 * second).
 *
 * cd packages/platform && npx tsx bench/overload.ts [--seconds 10] [--capacity 10] [--service 1000] [--threshold 1300] [--decay 1000] [--pool] [--virtual-only]
 * (also `pnpm bench --only overload` and `pnpm --filter @aio-request/examples overload`)
 */
import type { Priority } from "@aio-request/core"
import { ConcurrencyLimit } from "@aio-request/core"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Clock, Duration, Effect, Exit, Fiber, Option, Schedule, TestClock, TestContext } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { quick, report } from "../../../bench/figure.js"
import { arg, limit, mix, type Parameters, parameters, work } from "./support/overloadModel.js"

const p = parameters()
/**
 * Seconds per reported phase. `pnpm bench --quick` (BENCH_QUICK=1) runs 6 s
 * phases: the recovery phase needs the overload's last answers (about 1.5 s)
 * and a few half-lives of decay before its last second.
 */
const seconds = arg("seconds", quick ? 6 : 10)
const capacityRps = p.capacity * 1000 / p.service
/**
 * Seconds of warm-up at the unloaded rate: connections, JIT, and the limit's
 * first steps (from `initial` to where this load holds it, which takes a few
 * service times), so that "before the overload" is the settled value.
 */
const warmUp = arg("warm-up", 5)
/** Requests per second of each phase (the first is the warm-up), and its length. */
const plan: ReadonlyArray<{ readonly rps: number; readonly seconds: number }> = [
  { rps: capacityRps / 2, seconds: warmUp },
  { rps: capacityRps / 2, seconds },
  { rps: capacityRps * 2, seconds },
  { rps: capacityRps / 2, seconds }
]
const priorities: ReadonlyArray<Priority.Priority> = ["high", "normal", "low"]

interface Answer {
  readonly priority: Priority.Priority
  readonly status: number
  readonly millis: number
}

interface StateSample {
  /** `Clock` time, milliseconds. */
  readonly at: number
  readonly limit: number
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN

/**
 * Sends `rps` requests per second, open-loop, for `seconds`, the `i`-th with
 * the priority `mix[(first + i) % 10]`; every answer, and when the phase
 * ended (`Clock` milliseconds). Time is `Clock`'s: live over HTTP, `TestClock`
 * in the virtual run.
 */
const phase = (
  send: (priority: Priority.Priority) => Effect.Effect<number>,
  first: number,
  rps: number,
  seconds: number
) =>
  Effect.gen(function*() {
    const timed = (priority: Priority.Priority) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeNanos
        const status = yield* send(priority)
        const millis = Number((yield* Clock.currentTimeNanos) - start) / 1e6
        return { priority, status, millis } satisfies Answer
      })
    const count = Math.round(rps * seconds)
    const interval = 1000 / rps
    const start = yield* Clock.currentTimeMillis
    const fibers: Array<Fiber.RuntimeFiber<Answer>> = []
    for (let i = 0; i < count; i++) {
      const wait = start + i * interval - (yield* Clock.currentTimeMillis)
      if (wait > 0) yield* Effect.sleep(Duration.millis(wait))
      fibers.push(yield* Effect.fork(timed(mix[(first + i) % mix.length]!)))
    }
    const end = start + count * interval
    const remaining = end - (yield* Clock.currentTimeMillis)
    if (remaining > 0) yield* Effect.sleep(Duration.millis(remaining))
    return { answers: yield* Fiber.joinAll(fibers), end }
  })

/** The mean limit over the last second before `end`. */
const limitAt = (states: ReadonlyArray<StateSample>, end: number): number => {
  const last = states.filter((s) => s.at > end - 1000 && s.at <= end)
  return last.reduce((n, s) => n + s.limit, 0) / Math.max(1, last.length)
}

/** Runs the plan with `send`, the limit read from `states`; the reported phases. */
const scenario = (send: (priority: Priority.Priority) => Effect.Effect<number>, states: ReadonlyArray<StateSample>) =>
  Effect.gen(function*() {
    const results: Array<PhaseResult> = []
    let first = 0
    for (const [index, { rps, seconds }] of plan.entries()) {
      const { answers, end } = yield* phase(send, first, rps, seconds)
      first += answers.length
      if (index === 0) continue
      const rows = Object.fromEntries(priorities.map((pr) => [pr, summarize(answers, pr)])) as Record<
        Priority.Priority,
        Row
      >
      results.push({ rows, limit: limitAt(states, end) })
    }
    return results
  })

/**
 * The scenario in virtual time: the library's limiter around the same backend
 * Effect as the real backend's, on `TestClock`, with the limit sampled every
 * 100 ms as the backend does.
 */
const virtual = (parameters: Parameters) =>
  Effect.gen(function*() {
    const limiter = yield* ConcurrencyLimit.make({ limit: limit(parameters) })
    const backendWork = yield* work(parameters)
    const states: Array<StateSample> = []
    const sampler = yield* Effect.fork(
      Effect.repeat(
        Effect.flatMap(
          Effect.zip(Clock.currentTimeMillis, limiter.state),
          ([at, s]) => Effect.sync(() => states.push({ at, limit: s.limit }))
        ),
        Schedule.spaced("100 millis")
      )
    )
    const send = (priority: Priority.Priority) =>
      Effect.map(Effect.exit(limiter.admit(priority, backendWork)), (exit) => Exit.isSuccess(exit) ? 200 : 503)
    const run = yield* Effect.fork(scenario(send, states))
    // moves the clock through every arrival, answer and sample, in order, until the plan is done
    while (Option.isNone(yield* Fiber.poll(run))) yield* TestClock.adjust("1 second")
    const results = yield* Fiber.join(run)
    yield* Fiber.interrupt(sampler)
    return results
  }).pipe(
    Effect.scoped,
    Effect.provide(TestContext.TestContext),
    // in a runtime of its own: after a TestContext provided inline, the live
    // run that follows never woke from its first sleep
    (virtualRun) => Effect.promise(() => Effect.runPromise(virtualRun))
  )

/** Starts the backend; its URL and its limit samples (stopped with the scope). */
const backend = Effect.acquireRelease(
  Effect.async<{ url: string; states: Array<StateSample>; child: ReturnType<typeof spawn> }, Error>((resume) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(new URL("./support/overloadBackend.ts", import.meta.url)),
        "--capacity",
        String(p.capacity),
        "--service",
        String(p.service),
        "--threshold",
        String(p.threshold),
        "--decay",
        String(p.decay),
        ...(p.backend === "pool" ? ["--pool"] : [])
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
          // on the live Clock, as the phases' ends
          states.push({ at: Effect.runSync(Clock.currentTimeMillis), limit: Number(a) })
        }
      }
    })
    child.on("exit", (code) => {
      if (!started) resume(Effect.fail(new Error(`backend exited with ${code}`)))
    })
  }),
  ({ child }) => Effect.sync(() => child.kill())
)

/** The scenario over HTTP against the backend process. */
const real = Effect.gen(function*() {
  const { states, url } = yield* backend
  const client = yield* HttpClient.HttpClient
  const send = (priority: Priority.Priority) =>
    client.execute(
      HttpClientRequest.get(`${url}/work`).pipe(HttpClientRequest.setHeader("x-request-priority", priority))
    ).pipe(
      Effect.flatMap((response) => Effect.as(response.text, response.status)),
      Effect.scoped,
      Effect.orElseSucceed(() => 0)
    )
  return yield* scenario(send, states)
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
    `Overload: ${p.backend === "pool" ? "a pool of" : "processor sharing,"} ${p.capacity} ${
      p.backend === "pool" ? "workers" : "processors"
    } at ${p.service} ms (${capacityRps} req/s), AIMD limit ` +
      `(initial ${p.capacity}, latencyThreshold ${p.threshold} ms, decayHalfLife ${
        p.decay > 0 ? `${p.decay} ms` : "none"
      }) behind ServerMiddleware; mix 20% high, 30% normal, 50% low; ${warmUp} s warm-up, then ${seconds} s per phase`
  )
  conclude("simulation (virtual time, no HTTP)", "shed.simulated", yield* virtual(p))
  if (p.decay > 0) {
    const [unloaded, overload, recovery] = (yield* virtual({ ...p, decay: 0 })) as [
      PhaseResult,
      PhaseResult,
      PhaseResult
    ]
    console.log(
      `  the same without decayHalfLife (Netflix's AIMD): limit ${unloaded.limit.toFixed(1)} before, ` +
        `${overload.limit.toFixed(1)} in, ${recovery.limit.toFixed(1)} after ` +
        `(${(100 * (recovery.limit / unloaded.limit - 1)).toFixed(1)}%)`
    )
  }
  if (process.argv.includes("--virtual-only")) return
  conclude("real HTTP, backend in its own process", "shed", yield* real)
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)))
