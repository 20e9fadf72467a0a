/**
 * The overload scenario's backend and limit, one definition for both runs of
 * `bench/overload.ts`: the real one (`overloadBackend.ts`, over HTTP, in its
 * own process) and the virtual-time one (the same Effects on `TestClock`).
 *
 * The backend has a capacity of `capacity` requests at `service` ms each, and
 * past that it gets slower as a real one does (queueing). Two models:
 *
 * - `processorSharing` (the default): `capacity` processors shared by all
 *   requests in flight, as a CPU is; with `n` in flight each progresses at
 *   `min(1, capacity / n)`, re-rated on every arrival and departure, so every
 *   request in flight slows down together;
 * - `workerPool` (`--pool`): `capacity` workers, a FIFO queue for the rest, as
 *   a thread or connection pool; only the queued wait, by `service /
 *   capacity` per request ahead of them.
 *
 * Either way the backend serves `capacity / service` requests per second
 * whatever the concurrency, and latency grows with what is in flight beyond
 * `capacity`: the signal AIMD's `latencyThreshold` reacts to. At
 * `threshold = 1.3 × service` that is about 13 in flight (capacity 10).
 */
import { ConcurrencyLimit } from "@aio-request/core"
import type { Priority } from "@aio-request/core"
import { Clock, Deferred, Duration, Effect, Queue, type Scope } from "effect"

export interface Parameters {
  /** Workers. */
  readonly capacity: number
  /** Milliseconds a request holds a worker. */
  readonly service: number
  /** AIMD's `latencyThreshold`, milliseconds. */
  readonly threshold: number
  /** AIMD's `decayHalfLife`, milliseconds; 0 for none. */
  readonly decay: number
  /** `"ps"`: processor sharing (the default); `"pool"`: a pool of workers with a FIFO queue. */
  readonly backend: "ps" | "pool"
}

/** `--name value` from the command line, else `fallback`. */
export const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}

/**
 * The scenario's parameters from the command line. The defaults: capacity 10
 * at 1 s (10 req/s, a rate this shared 2-core machine drives without its own
 * CPU becoming the bottleneck), threshold 1.3 × service, and a decay
 * half-life of one service time (TCP's RFC 2861 decays an unused window once
 * per round trip).
 */
export const parameters = (): Parameters => {
  const service = arg("service", 1000)
  return {
    capacity: arg("capacity", 10),
    service,
    threshold: arg("threshold", Math.round(service * 1.3)),
    decay: arg("decay", service),
    backend: process.argv.includes("--pool") ? "pool" : "ps"
  }
}

/**
 * The limit both runs use: AIMD starting at the capacity (what an operator who
 * knows the backend would configure).
 */
export const limit = (p: Parameters): ConcurrencyLimit.Limit =>
  ConcurrencyLimit.aimd({
    initial: p.capacity,
    max: 1000,
    latencyThreshold: Duration.millis(p.threshold),
    ...(p.decay > 0 ? { decayHalfLife: Duration.millis(p.decay) } : {})
  })

/** The work of one request: a worker from the pool for `service` ms (FIFO when all are busy). */
export const workerPool = (p: Parameters): Effect.Effect<Effect.Effect<void>> =>
  Effect.gen(function*() {
    const workers = yield* Queue.bounded<void>(p.capacity)
    yield* Queue.offerAll(workers, Array.from({ length: p.capacity }, () => undefined))
    return Effect.acquireUseRelease(
      Queue.take(workers),
      () => Effect.sleep(Duration.millis(p.service)),
      () => Queue.offer(workers, undefined)
    )
  })

/** The mix, in a fixed interleaved order: 2 high, 3 normal, 5 low in every 10. */
export const mix: ReadonlyArray<Priority.Priority> = [
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

/**
 * The work of one request on a processor-sharing backend: `capacity`
 * processors shared by every request in flight, so each of `n` requests
 * progresses at `min(1, capacity / n)` of full speed, re-rated whenever one
 * arrives or leaves, until it has had `service` ms of work. A request's latency
 * is then `service` times the mean of `max(1, n / capacity)` over its life.
 * One fiber (in the scope) sleeps until the next completion or arrival.
 */
export const processorSharing = (p: Parameters): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> =>
  Effect.gen(function*() {
    interface Job {
      remaining: number
      readonly done: Deferred.Deferred<void>
    }
    const jobs = new Set<Job>()
    const arrived = yield* Queue.sliding<void>(1)
    let last = yield* Clock.currentTimeMillis
    /** Gives every job its share of the time since `last`; completes the finished ones. */
    const advance = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const rate = Math.min(1, p.capacity / Math.max(1, jobs.size))
      for (const job of jobs) {
        job.remaining -= (now - last) * rate
        if (job.remaining <= 1e-6) {
          jobs.delete(job)
          yield* Deferred.succeed(job.done, undefined)
        }
      }
      last = now
    })
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      yield* advance
      if (jobs.size === 0) return yield* Queue.take(arrived)
      let next = Infinity
      for (const job of jobs) next = Math.min(next, job.remaining)
      const rate = Math.min(1, p.capacity / jobs.size)
      // whole milliseconds (TestClock keeps integer nanos); a job may overshoot by under 1 ms
      yield* Effect.raceFirst(Effect.sleep(Duration.millis(Math.ceil(next / rate))), Queue.take(arrived))
    })))
    return Effect.gen(function*() {
      yield* advance
      const job: Job = { remaining: p.service, done: yield* Deferred.make<void>() }
      jobs.add(job)
      yield* Queue.offer(arrived, undefined)
      yield* Effect.onInterrupt(Deferred.await(job.done), () => Effect.sync(() => jobs.delete(job)))
    })
  })

/** The work of one request on the backend `p.backend` names. */
export const work = (p: Parameters): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> =>
  p.backend === "pool" ? workerPool(p) : processorSharing(p)
