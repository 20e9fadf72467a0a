/**
 * A circuit breaker and a retry budget around a flaky upstream, no network:
 *
 *   npx tsx examples/src/circuit-breaker.ts
 *
 * The upstream fails every call for its first 1.5 seconds, then recovers. The
 * breaker opens after enough failures, fails fast while open, lets one probe
 * through after the break, and closes when the probe succeeds. Its state
 * changes are printed as they happen, from the `changes` stream.
 */
import { CircuitBreaker, Deadline, Delays, RetryBudget, Strategy } from "@aio-request/core"
import { Clock, Console, Effect, Exit, Ref, Stream } from "effect"

const program = Effect.gen(function*() {
  const breaker = yield* CircuitBreaker.CircuitBreaker
  const start = yield* Clock.currentTimeMillis
  const elapsed = Effect.map(Clock.currentTimeMillis, (now) => `${String(now - start).padStart(5)} ms`)

  yield* breaker.changes.pipe(
    Stream.runForEach((change) =>
      Effect.flatMap(elapsed, (at) => Console.log(`${at}  [${change.scope}] ${change.from} → ${change.to}`))
    ),
    Effect.fork
  )
  yield* Effect.sleep("10 millis") // let the subscriber start

  const sent = yield* Ref.make(0)
  // the upstream: fails for its first 1.5 seconds
  const upstream = Effect.gen(function*() {
    yield* Ref.update(sent, (n) => n + 1)
    yield* Effect.sleep("20 millis")
    const now = yield* Clock.currentTimeMillis
    return now - start < 1_500 ? yield* Effect.fail("503 Service Unavailable" as const) : "200 OK"
  })

  // one request: a sequential strategy whose attempts go through the breaker
  const request = Effect.gen(function*() {
    const deadline = yield* Deadline.fromTimeout("1 second")
    return yield* Strategy.run(Strategy.sequential({ attempts: 2, delays: Delays.constant("20 millis") }), {
      attempt: () => breaker.execute("inventory", upstream, Exit.isFailure),
      classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
      deadline
    })
  })

  for (let i = 0; i < 25; i++) {
    const exit = yield* Effect.exit(request)
    const outcome = Exit.match(exit, {
      onSuccess: (body) => body,
      onFailure: (cause) =>
        cause._tag === "Fail" && typeof cause.error === "object" ? cause.error.message : String(cause).split("\n")[0]
    })
    yield* Console.log(`${yield* elapsed}  request ${String(i).padStart(2)}: ${outcome}`)
    yield* Effect.sleep("100 millis")
  }
  yield* Console.log(
    `\n25 requests sent ${yield* Ref.get(sent)} calls upstream (the rest failed fast or had no budget)`
  )
  yield* Console.log(`state: ${JSON.stringify([...(yield* breaker.state)])}`)
})

program.pipe(
  Effect.provide(CircuitBreaker.layer({
    breakDuration: "500 millis",
    samplingDuration: "1 second",
    minimumThroughput: 4,
    failureThreshold: 0.5
  })),
  // the retries share one budget: 20% of first attempts, and 2 per second
  Effect.provide(RetryBudget.layer({ ratio: 0.2, minPerSecond: 2, ttl: "1 second" })),
  Effect.runPromise
)
