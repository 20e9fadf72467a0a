/**
 * The overload scenario's backend and limit, one definition for both runs of
 * `bench/overload.ts`: the real one (`overloadBackend.ts`, over HTTP, in its
 * own process) and the virtual-time one (the same Effects on `TestClock`).
 *
 * The backend is a pool of `capacity` workers: a request holds one worker for
 * `service` ms; a request that finds every worker busy waits in a FIFO queue.
 * So the backend serves `capacity / service` requests per second whatever the
 * concurrency, and past `capacity` in flight latency grows by `service /
 * capacity` per request queued (`n` in flight: about `service × (n + 1) /
 * capacity` for the last admitted), as in a thread pool or a connection pool.
 * That growth is the signal AIMD's `latencyThreshold` reacts to: at
 * `threshold = 1.3 × service`, requests admitted with 13 or more in flight
 * (capacity 10) come back slow.
 */
import { ConcurrencyLimit } from "@aio-request/core"
import type { Priority } from "@aio-request/core"
import { Duration, Effect, Queue } from "effect"

export interface Parameters {
  /** Workers. */
  readonly capacity: number
  /** Milliseconds a request holds a worker. */
  readonly service: number
  /** AIMD's `latencyThreshold`, milliseconds. */
  readonly threshold: number
  /** AIMD's `decayHalfLife`, milliseconds; 0 for none. */
  readonly decay: number
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
    decay: arg("decay", service)
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
