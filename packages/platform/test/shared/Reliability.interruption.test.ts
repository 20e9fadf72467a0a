/**
 * Interruption and hedging losers (docs/reliability.md, "Interruption"): what
 * the server sees when a caller leaves mid-hedge, and when a hedge wins. On both lines.
 */
import { Deadline, Delays, Strategy } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { Clock } from "@aio-request/line/platform-support"
import { assert, beforeAll, describe, Effect, Fiber, fork, scopedLive } from "@aio-request/line/platform-testkit"
import * as Chaos from "./support/chaos.js"

/** Hedges at 50 ms and 100 ms after the start. */
const hedging = Strategy.parallel({
  attempts: 3,
  delays: Delays.linear({ min: 0, multiplier: "50 millis", jitter: 0 })
})
/** Three attempts at once. */
const allAtOnce = Strategy.parallel({ attempts: 3, delays: Delays.constant(0) })

/** A chaos server and a hedging client against it, with a 10 s timeout (far beyond every case). */
const hedgedAgainstChaos = Effect.gen(function*() {
  const chaos = yield* Chaos.make
  const client = yield* ResilientHttpClient.make({ endpoint: chaos.url, timeout: "10 seconds", strategy: hedging })
  return { chaos, client }
})

const orFail = <A>(effect: Effect.Effect<A, string>) => Effect.mapError(effect, (message) => new Error(message))

// the first request of each transport loads its modules: keep that out of the timed calls
beforeAll(() => Effect.runPromise(Chaos.warmUp), 30_000)

describe.concurrent("interruption", () => {
  for (const transport of Chaos.transports) {
    scopedLive(
      `a caller interrupted mid-hedge aborts every attempt (the server sees each connection closed), over ${transport.name}`,
      () =>
        Effect.gen(function*() {
          const { chaos, client } = yield* hedgedAgainstChaos
          const fiber = yield* fork(client.execute(HttpRequest.get("hang")))
          yield* orFail(chaos.awaitRequests("hang", 3))
          assert.strictEqual(yield* chaos.openConnections, 3, "three attempts in flight")
          const start = yield* Clock.currentTimeMillis
          yield* Fiber.interrupt(fiber)
          yield* orFail(chaos.awaitIdle(1000))
          const elapsed = (yield* Clock.currentTimeMillis) - start
          assert.strictEqual(yield* chaos.requests("hang"), 3, "no attempt was started after the interruption")
          // far below the 10 s deadline: the interruption, not the deadline, closed them
          assert.isAtMost(elapsed, 1000)
        }).pipe(Effect.provide(transport.layer)),
      { retry: Chaos.timingRetries }
    )

    scopedLive(`the losers of a winning hedge are closed, over ${transport.name}`, () =>
      Effect.gen(function*() {
        const { chaos, client } = yield* hedgedAgainstChaos
        // attempts 0 and 1 never get an answer; attempt 2 (at 100 ms) does
        const start = yield* Clock.currentTimeMillis
        const response = yield* client.execute(HttpRequest.get("first-hangs", { query: { n: 2 } }))
        assert.strictEqual(response.status, 200)
        assert.strictEqual(yield* response.text, "ok")
        yield* orFail(chaos.awaitIdle(1000))
        const elapsed = (yield* Clock.currentTimeMillis) - start
        assert.strictEqual(yield* chaos.requests("first-hangs"), 3)
        assert.isAtMost(elapsed, 5000, "closed when the hedge won, not at the 10 s deadline")
      }).pipe(Effect.provide(transport.layer)), { retry: Chaos.timingRetries })

    scopedLive(
      `a deadline cutting a hedged call closes every attempt, over ${transport.name}`,
      () =>
        Effect.gen(function*() {
          const { chaos, client } = yield* hedgedAgainstChaos
          const error = yield* Effect.flip(client.execute(HttpRequest.get("hang")).pipe(Deadline.within("1 second")))
          assert.strictEqual(error._tag, "DeadlineExceededError")
          // 3 on a quiet machine (hedges at 50 and 100 ms); whatever was sent, nothing stays open
          assert.isAtLeast(yield* chaos.requests("hang"), 1)
          yield* orFail(chaos.awaitIdle(1000))
        }).pipe(Effect.provide(transport.layer)),
      { retry: Chaos.timingRetries }
    )

    scopedLive(
      `a body read cut by Deadline.within closes the connection, over ${transport.name}`,
      () =>
        Effect.gen(function*() {
          // a caller's own Deadline.within around the read cuts it too (besides the request's deadline)
          const chaos = yield* Chaos.make
          const client = yield* ResilientHttpClient.make({ endpoint: chaos.url, timeout: "10 seconds" })
          const { elapsed, exit, lag } = yield* Chaos.timed(
            Effect.flatMap(client.execute(HttpRequest.get("drip-body")), (response) => response.text).pipe(
              Deadline.within("500 millis")
            ),
            500
          )
          assert.isTrue(exit._tag === "Failure")
          assert.isAtMost(elapsed, 500 + Chaos.slackMillis + lag, `ended by the deadline + slack (timer lag ${lag} ms)`)
          yield* orFail(chaos.awaitIdle(1000))
          assert.strictEqual(yield* chaos.requests("drip-body"), 1)
        }).pipe(Effect.provide(transport.layer)),
      { retry: Chaos.timingRetries }
    )

    // issue 11: losers are released by interrupting a read of their body, which leaves a
    // keep-alive connection whose answer had already arrived paused in undici's pool: the
    // server's close is not seen and the connection stays open until the keep-alive timeout
    const lostKeepAlive = transport.name === "node:http" ? scopedLive : scopedLive.skip
    lostKeepAlive(
      `the losers whose answers arrived over keep-alive are closed, over ${transport.name}${
        transport.name === "node:http" ? "" : " (issue 11: undici keeps them open)"
      }`,
      () =>
        Effect.gen(function*() {
          const chaos = yield* Chaos.make
          const client = yield* ResilientHttpClient.make({ endpoint: chaos.url, strategy: allAtOnce })
          for (let i = 0; i < 3; i++) {
            const response = yield* client.execute(HttpRequest.get("keep-alive-close"))
            assert.strictEqual(yield* response.text, "ok")
          }
          yield* orFail(chaos.awaitIdle(1000))
          assert.strictEqual(yield* chaos.requests("keep-alive-close"), 9)
        }).pipe(Effect.provide(transport.layer))
    )
  }
})
