/**
 * Issue 14's processor-sharing backend and interleaved mix, written once: the
 * overload chain's upstream work and the callers' mix, on both lines (it
 * imports `effect` only through `@aio-request/line/demo`), and the backend of
 * `packages/platform/bench/overload.ts` on the Effect 3 line (through
 * `packages/platform/bench/support/overloadModel.ts`).
 */
import type { Priority } from "@aio-request/line/core"
import { Clock, Deferred, Duration, Effect, forkScoped, Queue, type Scope } from "@aio-request/line/demo"

/** `--name value` from the command line, else `fallback`. */
export const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}

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
export const processorSharing = (
  p: { readonly capacity: number; readonly service: number }
): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> =>
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
    yield* forkScoped(Effect.forever(Effect.gen(function*() {
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
      yield* Effect.onInterrupt(Deferred.await(job.done), () => Effect.sync(() => void jobs.delete(job)))
    })
  })
