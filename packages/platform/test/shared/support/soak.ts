/**
 * The soak (docs/reliability.md, "Soak"): hedged requests through a
 * `ResilientHttpClient` with a `CircuitBreaker` and a `RetryBudget` against the
 * chaos server's mixed routes, many at once, for a count or a duration. It
 * checks what must hold however long it runs: every request resolves (an answer
 * or a typed error, never a defect, never a hang), no unhandled error, no
 * socket left open on the server once the load stops, no fiber left, and
 * (optionally) heap growth after warm-up under a bound.
 *
 * `soak/main.ts` runs it from the command line (`pnpm soak`, Effect 3); the CI test
 * (`test/shared/Reliability.soak.test.ts`) runs a short one on both lines. Written once: what
 * it needs of Effect comes from the line's support kit.
 */
import { CircuitBreaker, Deadline, Delays, RetryBudget, Strategy } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import type { DurationInput } from "@aio-request/line/platform-support"
import {
  Clock,
  dieMessage,
  Duration,
  Effect,
  Exit,
  findError,
  Option,
  prettyCause,
  Ref,
  Schedule,
  toDuration,
  trackFibers
} from "@aio-request/line/platform-support"
import * as Chaos from "./chaos.js"

/**
 * The mix, one entry per request in turn. `keep-alive-close` is left out: a
 * released loser whose answer came over keep-alive stays open in undici's pool
 * until its keep-alive timeout (docs/reliability.md, "Known gaps").
 */
export const mix: ReadonlyArray<string> = [
  "ok",
  "ok",
  "slow?ms=20",
  "ok",
  "reset-before-headers",
  "ok",
  "slow?ms=50",
  "hang",
  "ok",
  "bad-status-line",
  "ok",
  "drip-headers",
  "ok",
  "drip-body",
  "reset-mid-body",
  "ok",
  "bad-content-length",
  "slow?ms=400"
]

export interface Options {
  /** Requests to send (the run ends at `count` or `duration`, whichever comes first). */
  readonly count?: number | undefined
  /** How long to send for. */
  readonly duration?: DurationInput | undefined
  /** Requests in flight at once. */
  readonly concurrency: number
  readonly transport: Chaos.TransportName
  /** Each request's deadline, body read included. Default 500 millis. */
  readonly timeout?: DurationInput | undefined
  /** Measure heap growth after warm-up (needs `--expose-gc` for a stable figure). */
  readonly heap?: boolean | undefined
  /** Progress lines (long runs). */
  readonly log?: ((line: string) => void) | undefined
}

export interface Report {
  readonly requests: number
  /** Requests that ended with an answer or a typed error. */
  readonly resolved: number
  /** Requests that ended with a defect (a bug). */
  readonly defects: number
  /** Unhandled rejections and uncaught exceptions seen during the run. */
  readonly unhandled: number
  /** How each request ended: the status, or the error's tag. */
  readonly outcomes: Readonly<Record<string, number>>
  /** Connections the chaos server had open when the load stopped. */
  readonly openWhenStopped: number
  /**
   * Connections the chaos server still had open 6 s later (longer than undici's 4 s keep-alive
   * timeout, which closes pooled connections that never carried a request).
   */
  readonly openSockets: number
  /** Those connections by route, when there are any. */
  readonly openSocketsByRoute?: Readonly<Record<string, number>>
  /** Fibers started by the run and still alive once it stopped (after up to 2 s). */
  readonly fibersLeft: number
  readonly elapsedMillis: number
  readonly latencyMillis: { readonly p50: number; readonly p99: number; readonly max: number }
  /** Heap used after warm-up and at the end (MiB), when measured. */
  readonly heap?: { readonly afterWarmUpMiB: number; readonly endMiB: number; readonly growthMiB: number }
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10

const heapUsed = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    gc()
    gc()
  }
  return process.memoryUsage().heapUsed
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

/** Runs a soak; the report says what held. */
export const run = (options: Options): Effect.Effect<Report> =>
  Effect.scoped(Effect.gen(function*() {
    const transport = Chaos.transports.find((t) => t.name === options.transport)
    if (transport === undefined) return yield* dieMessage(`unknown transport ${options.transport}`)
    const timeout = toDuration(options.timeout ?? "500 millis")
    const limitMillis = options.duration === undefined ? Infinity : Duration.toMillis(options.duration)
    const count = options.count ?? (options.duration === undefined ? 1000 : Infinity)

    let unhandled = 0
    const onUnhandled = () => {
      unhandled++
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        process.on("unhandledRejection", onUnhandled)
        process.on("uncaughtException", onUnhandled)
      }),
      () =>
        Effect.sync(() => {
          process.off("unhandledRejection", onUnhandled)
          process.off("uncaughtException", onUnhandled)
        })
    )

    const chaos = yield* Chaos.make
    const breaker = yield* CircuitBreaker.make({
      breakDuration: "200 millis",
      samplingDuration: "2 seconds",
      minimumThroughput: 50,
      failureThreshold: 0.6
    })
    const budget = yield* RetryBudget.make({ ratio: 0.5, minPerSecond: 50 })

    const tracker = yield* trackFibers
    const outcomes = new Map<string, number>()
    const latencies: Array<number> = []
    let sent = 0
    let defects = 0
    let heapAfterWarmUp: number | undefined

    const start = yield* Clock.currentTimeMillis
    const workload = Effect.gen(function*() {
      const client = yield* ResilientHttpClient.make({
        endpoint: chaos.url,
        strategy: Strategy.parallel({ attempts: 3, delays: Delays.constant("30 millis") }),
        circuitBreaker: breaker,
        retryBudget: budget
      })
      const one = (i: number) =>
        Effect.gen(function*() {
          const began = yield* Clock.currentTimeMillis
          const exit = yield* Effect.exit(
            Effect.flatMap(
              client.execute(HttpRequest.get(mix[i % mix.length]!)),
              (response) => Effect.as(response.text, response.status)
            ).pipe(Deadline.within(timeout))
          )
          latencies.push((yield* Clock.currentTimeMillis) - began)
          let key: string
          if (Exit.isSuccess(exit)) key = String(exit.value)
          else {
            const failure = findError(exit.cause)
            if (Option.isSome(failure)) key = failure.value._tag
            else {
              defects++
              key = "defect"
              options.log?.(`defect: ${prettyCause(exit.cause)}`)
            }
          }
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
        })
      const next = yield* Ref.make(0)
      const worker: Effect.Effect<void> = Effect.gen(function*() {
        while (true) {
          const i = yield* Ref.getAndUpdate(next, (n) => n + 1)
          if (i >= count || (yield* Clock.currentTimeMillis) - start >= limitMillis) return
          sent++
          yield* one(i)
          const warm = Number.isFinite(count)
            ? sent >= warmUpRequests(count)
            : (yield* Clock.currentTimeMillis) - start >= limitMillis / 5
          if (options.heap === true && heapAfterWarmUp === undefined && warm) {
            heapAfterWarmUp = heapUsed()
          }
          if (options.log !== undefined && sent % 10_000 === 0) {
            options.log(`${sent} requests, ${Math.round(((yield* Clock.currentTimeMillis) - start) / 1000)} s`)
          }
        }
      })
      yield* Effect.all(Array.from({ length: options.concurrency }, () => worker), {
        concurrency: "unbounded",
        discard: true
      })
    }).pipe(tracker.supervise, Effect.provide(transport.layer))
    yield* workload
    const elapsedMillis = (yield* Clock.currentTimeMillis) - start

    // undici may connect for an attempt that is cut before its request is written: that connection
    // carried nothing and waits in the pool, idle, until undici's keep-alive timeout (4 s)
    const openWhenStopped = yield* chaos.openConnections
    const openSockets = yield* Effect.flatMap(Effect.exit(chaos.awaitIdle(6000)), () => chaos.openConnections)
    const openSocketsByRoute = openSockets > 0 ? yield* chaos.openByRoute : undefined
    const alive = tracker.alive
    const fibersLeft = yield* alive.pipe(
      Effect.filterOrFail((n) => n === 0),
      Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 100 }),
      Effect.matchEffect({ onFailure: () => alive, onSuccess: Effect.succeed })
    )
    const sorted = [...latencies].sort((a, b) => a - b)
    const end = options.heap === true ? heapUsed() : undefined
    return {
      requests: sent,
      resolved: latencies.length - defects,
      defects,
      unhandled,
      outcomes: Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))),
      openWhenStopped,
      openSockets,
      ...(openSocketsByRoute !== undefined ? { openSocketsByRoute } : {}),
      fibersLeft,
      elapsedMillis,
      latencyMillis: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
      ...(end !== undefined && heapAfterWarmUp !== undefined
        ? { heap: { afterWarmUpMiB: mib(heapAfterWarmUp), endMiB: mib(end), growthMiB: mib(end - heapAfterWarmUp) } }
        : {})
    } satisfies Report
  }))

/** The first tenth of a counted run (at most 20,000 requests) is warm-up; 20,000 for a timed one. */
const warmUpRequests = (count: number): number =>
  Number.isFinite(count) ? Math.min(20_000, Math.ceil(count / 10)) : 20_000
