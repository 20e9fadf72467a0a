/**
 * Driving the overload chain (`chain.ts`): an open-loop load at the front
 * with the mix of issue 14 (20% high, 30% normal, 50% low, interleaved),
 * each request with `X-Request-Priority` and `X-Request-Timeout`, in phases
 * (a warm-up at 0.5× the upstream's capacity, not reported, then 0.5×,
 * "unloaded", then 2×, "overload"), once per mode on fresh services; then
 * the side-by-side table and the figures.
 */
import type { Priority } from "@aio-request/line/core"
import {
  Clock,
  Console,
  Duration,
  Effect,
  fork,
  HttpClient,
  joinAll,
  type RunningFiber,
  type Scope
} from "@aio-request/line/demo"
import { Headers } from "@aio-request/line/platform"
import { monitorEventLoopDelay } from "node:perf_hooks"
import {
  type Attempts,
  capacityRps,
  type ChainParameters,
  front,
  makeAttempts,
  type Mode,
  modeOptions,
  priorities,
  snapshot,
  upstream
} from "./chain.js"
import { mix } from "./model.js"

/** Seconds of each phase. */
export interface Plan {
  readonly warmUp: number
  readonly unloaded: number
  readonly overload: number
}

interface Answer {
  readonly priority: Priority.Priority
  readonly status: number
  readonly millis: number
}

/** One priority in one phase. */
export interface Row {
  readonly sent: number
  /** Answered 200. */
  readonly ok: number
  /** Answered 503. */
  readonly shed: number
  /** Anything else (504 at the deadline, 502, no answer). */
  readonly other: number
  /** Answered 200 per second of the phase. */
  readonly goodput: number
  /** p99 of the answered (200) requests at the front, milliseconds. */
  readonly p99: number
  readonly shedPct: number
  /** The front's attempts to the upstream for this priority. */
  readonly attempts: number
  /** Those answered 503. */
  readonly wasted: number
}

export type Phase = Record<Priority.Priority, Row> & {
  /**
   * The longest event-loop stall of the phase, milliseconds: the clients and
   * the servers share one process, so a long stall means the run measured a
   * busy machine more than the scenario.
   */
  readonly stall: number
}

export interface ModeResult {
  readonly mode: Mode
  readonly description: string
  readonly wired: boolean
  readonly unloaded: Phase
  readonly overload: Phase
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

/**
 * Sends `rps` requests per second to `url`, open-loop, for `seconds`;
 * every answer once all have come (or failed).
 */
const phase = (p: ChainParameters, url: string, rps: number, seconds: number) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const answers: Array<Answer> = []
    const send = (priority: Priority.Priority) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeNanos
        const status = yield* client.get(url, {
          headers: { [Headers.RequestPriority]: priority, [Headers.RequestTimeout]: String(p.timeout / 1000) }
        }).pipe(
          Effect.flatMap((response) => Effect.as(response.text, response.status)),
          Effect.scoped,
          Effect.timeout(Duration.millis(p.timeout * 3)),
          Effect.orElseSucceed(() => 0)
        )
        const millis = Number((yield* Clock.currentTimeNanos) - start) / 1e6
        answers.push({ priority, status, millis })
      })
    const count = Math.round(rps * seconds)
    const interval = 1000 / rps
    const start = yield* Clock.currentTimeMillis
    const fibers: Array<RunningFiber<void>> = []
    for (let i = 0; i < count; i++) {
      const wait = start + i * interval - (yield* Clock.currentTimeMillis)
      if (wait > 0) yield* Effect.sleep(Duration.millis(wait))
      fibers.push(yield* fork(send(mix[i % mix.length]!)))
    }
    yield* joinAll(fibers)
    return answers
  })

const summarize = (
  answers: ReadonlyArray<Answer>,
  seconds: number,
  before: Attempts,
  after: Attempts,
  stall: number
): Phase => {
  const row = (priority: Priority.Priority): Row => {
    const mine = answers.filter((a) => a.priority === priority)
    const ok = mine.filter((a) => a.status === 200).map((a) => a.millis).sort((a, b) => a - b)
    const shed = mine.filter((a) => a.status === 503).length
    return {
      sent: mine.length,
      ok: ok.length,
      shed,
      other: mine.length - ok.length - shed,
      goodput: ok.length / seconds,
      p99: percentile(ok, 0.99),
      shedPct: mine.length === 0 ? 0 : 100 * shed / mine.length,
      attempts: after.sent[priority] - before.sent[priority],
      wasted: after.answered503[priority] - before.answered503[priority]
    }
  }
  return { high: row("high"), normal: row("normal"), low: row("low"), stall }
}

/** The two services of one mode, running until the scope closes. */
export interface Services {
  /** The front's URL. */
  readonly url: string
  /** The front's attempts to the upstream so far. */
  readonly attempts: Effect.Effect<Attempts, unknown>
}

/** How a run gets its services: in this process (the demo), or in processes of their own (the bench). */
export type Start = (
  p: ChainParameters,
  mode: Mode
) => Effect.Effect<Services, unknown, HttpClient.HttpClient | Scope.Scope>

/** Both services in this process. */
export const inProcess: Start = (p, mode) =>
  Effect.gen(function*() {
    const attempts = makeAttempts()
    const { url: upstreamUrl } = yield* upstream(p)
    const url = yield* front(p, upstreamUrl, yield* modeOptions(mode, p), attempts)
    return { url, attempts: Effect.sync(() => snapshot(attempts)) }
  })

/** One mode on fresh services: the warm-up, then the unloaded and the overload phases. */
export const runMode = (p: ChainParameters, plan: Plan, mode: Mode, start: Start = inProcess) =>
  Effect.gen(function*() {
    const config = yield* modeOptions(mode, p)
    const services = yield* start(p, mode)
    const url = services.url
    const rps = capacityRps(p)
    const measured = (rate: number, seconds: number) =>
      Effect.gen(function*() {
        const before = yield* services.attempts
        const delay = monitorEventLoopDelay({ resolution: 10 })
        delay.enable()
        const answers = yield* phase(p, url, rate, seconds)
        delay.disable()
        return summarize(answers, seconds, before, yield* services.attempts, delay.max / 1e6)
      })
    if (plan.warmUp > 0) yield* phase(p, url, rps / 2, plan.warmUp)
    const unloaded = yield* measured(rps / 2, plan.unloaded)
    const overload = yield* measured(rps * 2, plan.overload)
    return { mode, description: config.description, wired: config.wired, unloaded, overload } satisfies ModeResult
  }).pipe(Effect.scoped)

/** Both modes, one after the other, the same scenario. */
export const runBoth = (p: ChainParameters, plan: Plan, start: Start = inProcess) =>
  Effect.gen(function*() {
    const baseline = yield* runMode(p, plan, "baseline", start)
    const protectedMode = yield* runMode(p, plan, "protected", start)
    return [baseline, protectedMode] as const
  })

const total = (phase: Phase, key: "wasted" | "attempts" | "sent"): number =>
  priorities.reduce((n, pr) => n + phase[pr][key], 0)

/** The targets of issue 20, protected against baseline. */
export interface Verdicts {
  /** Wasted attempts (503) at 2×, protected / baseline; target ≤ 0.2. */
  readonly wastedRatio: number
  /** High's p99 at 2× over its unloaded p99, protected; target ≤ 1.5. */
  readonly highP99Ratio: number
  /** The same for baseline, to compare. */
  readonly baselineHighP99Ratio: number
  /** High's shed % at 2×, protected; target 0. */
  readonly highShedPct: number
}

export const verdicts = (baseline: ModeResult, protectedMode: ModeResult): Verdicts => ({
  wastedRatio: total(protectedMode.overload, "wasted") / Math.max(1, total(baseline.overload, "wasted")),
  highP99Ratio: protectedMode.overload.high.p99 / protectedMode.unloaded.high.p99,
  baselineHighP99Ratio: baseline.overload.high.p99 / baseline.unloaded.high.p99,
  highShedPct: protectedMode.overload.high.shedPct
})

const f = (n: number, digits = 1) => Number.isNaN(n) ? "-" : n.toFixed(digits)

/** Prints the side-by-side table and the targets. */
export const printTable = (p: ChainParameters, plan: Plan, results: ReadonlyArray<ModeResult>) =>
  Effect.gen(function*() {
    const [baseline, protectedMode] = results as [ModeResult, ModeResult]
    const rps = capacityRps(p)
    yield* Console.log(
      `upstream: ${p.capacity} processors × ${p.service} ms = ${rps} req/s, AIMD limit behind ServerMiddleware` +
        ` (Retry-After ${Math.ceil(p.shedRetryAfter / 1000)} s); front: ServerMiddleware + ResilientHttpClient` +
        ` (${p.strategy === "retry" ? "3 sequential attempts" : "2 attempts, hedge at p95"});` +
        `\ncallers: 20% high, 30% normal, 50% low, deadline ${p.timeout} ms; ` +
        `${plan.unloaded} s at 0.5× (${rps / 2} req/s), ${plan.overload} s at 2× (${rps * 2} req/s), per mode`
    )
    for (const r of results) {
      yield* Console.log(
        `  ${r.mode.padEnd(9)}: ${r.description} (longest event-loop stall: ${f(r.unloaded.stall, 0)} ms at 0.5×, ` +
          `${f(r.overload.stall, 0)} ms at 2×)`
      )
    }
    if (!protectedMode.wired) {
      yield* Console.log("  protected mode not yet wired: both modes run with today's client options")
    }
    yield* Console.log(
      "phase      priority mode       sent  goodput/s  p99 ms  shed %  other  attempts  wasted (503)"
    )
    for (const [name, key] of [["0.5×", "unloaded"], ["2×", "overload"]] as const) {
      for (const pr of priorities) {
        for (const r of results) {
          const row = r[key][pr]
          yield* Console.log(
            `${name.padEnd(10)} ${pr.padEnd(8)} ${r.mode.padEnd(9)} ${String(row.sent).padStart(5)} ` +
              `${f(row.goodput).padStart(10)} ${f(row.p99, 0).padStart(7)} ${f(row.shedPct).padStart(7)} ` +
              `${String(row.other).padStart(6)} ${String(row.attempts).padStart(9)} ${String(row.wasted).padStart(13)}`
          )
        }
      }
    }
    const v = verdicts(baseline, protectedMode)
    yield* Console.log(
      `targets at 2×, protected against baseline: wasted attempts ${f(v.wastedRatio, 2)}× (≤ 0.2×: ${
        v.wastedRatio <= 0.2 ? "met" : "not met"
      }); high p99 ${f(v.highP99Ratio, 2)}× its unloaded p99 (≤ 1.5×: ${
        v.highP99Ratio <= 1.5 ? "met" : "not met"
      }; baseline ${f(v.baselineHighP99Ratio, 2)}×); high shed ${f(v.highShedPct)}% (0%: ${
        v.highShedPct === 0 ? "met" : "not met"
      })`
    )
    yield* Console.log(
      "goodput: answered 200 per second; p99: of the 200s, at the caller of the front; other: 504/502/no answer;" +
        "\nattempts: the front's attempts to the upstream; wasted: those answered 503 (counted on the front's transport)"
    )
    return v
  })
