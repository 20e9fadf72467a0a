/**
 * Scene "budget": the retry budget stopping a retry storm.
 *
 * The upstream is down: it answers every call 503 at once. The same requests
 * go to it through a client that retries (`Strategy.sequential`, 4 attempts),
 * first without a budget, then with `RetryBudget.make({ ratio: 0.2,
 * minPerSecond: 1 })`: within its `ttl` (10 s) the extra attempts may be 20%
 * of the first attempts plus 1 a second, so the upstream sees about 1.25× the
 * traffic instead of 4×.
 */
import { Delays, RetryBudget, Strategy } from "@aio-request/line/core"
import { Clock, Console, Effect, get, Ref, serve, status } from "@aio-request/line/demo"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { cell, counts, delta, range, type Scene } from "./shared.js"

export const scene: Scene = {
  name: "budget",
  title: "The retry budget stopping a retry storm",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const requests = quick ? 40 : 80
      const upstreamCalls = yield* Ref.make(0)
      const endpoint = yield* serve([get("/quote", Effect.as(Ref.update(upstreamCalls, (n) => n + 1), status(503)))])
      const strategy = Strategy.sequential({ attempts: 4, delays: Delays.constant(0) })
      yield* Console.log(
        `upstream: down (503 at once); ${requests} requests, 4 at a time,` +
          ` each up to 4 attempts (sequential, no delay)`
      )
      yield* Console.log("retry budget                      attempts upstream  per request  retries sent  took ms")
      const figures: Record<string, number> = {}
      const runs: ReadonlyArray<readonly [string, string, RetryBudget.RetryBudget.Service | undefined]> = [
        ["without", "none", undefined],
        ["with", "ratio 0.2, 1 a second", yield* RetryBudget.make({ ratio: 0.2, minPerSecond: 1 })]
      ]
      for (const [key, name, retryBudget] of runs) {
        const client = yield* ResilientHttpClient.make({ endpoint, strategy, retryBudget, timeout: "1 second" })
        yield* Ref.set(upstreamCalls, 0)
        const before = yield* counts
        const start = yield* Clock.currentTimeMillis
        yield* Effect.forEach(
          range(requests),
          () => Effect.ignore(Effect.flatMap(client.execute(HttpRequest.get("/quote")), (r) => r.text)),
          { concurrency: 4, discard: true }
        )
        const took = (yield* Clock.currentTimeMillis) - start
        const calls = yield* Ref.get(upstreamCalls)
        const retries = delta(before, yield* counts).get("aio_request_retries")
        yield* Console.log(
          `${name.padEnd(32)} ${cell(calls, 17)} ${cell((calls / requests).toFixed(2), 12)} ${cell(retries, 13)}` +
            ` ${cell(took, 8)}`
        )
        figures[`${key}.attempts`] = calls
        figures[`${key}.retries`] = retries
      }
      yield* Console.log(
        `the budget allows 0.2 × ${requests} requests + 1/s × 10 s (its ttl) = ${0.2 * requests + 10} retries;` +
          `\nattempts upstream: calls its handler counted; retries sent: aio_request_retries_total;` +
          ` attempts = ${requests} requests + retries`
      )
      return figures
    }).pipe(Effect.scoped)
}
