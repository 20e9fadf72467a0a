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
import { Duration, Effect, Queue, type Scope } from "effect"
import { arg, processorSharing } from "../../../../examples/src/overload/model.js"

// the mix and the processor-sharing backend are written once, for this bench and for the demo's
// overload scene on both lines, in examples/src/overload/model.ts
export { arg, mix, processorSharing } from "../../../../examples/src/overload/model.js"

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

/** The work of one request on the backend `p.backend` names. */
export const work = (p: Parameters): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> =>
  p.backend === "pool" ? workerPool(p) : processorSharing(p)
