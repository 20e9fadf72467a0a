/**
 * Load shedding seen from the resilient client, on both lines: a shed 503 is retried, and a
 * RetryBudget bounds the retry storm (a loopback server behind ServerMiddleware).
 */
import { ConcurrencyLimit, Delays, RetryBudget, Strategy } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  HttpServerResponse,
  route,
  scopedLive,
  serve,
  undici
} from "@aio-request/line/platform-testkit"
import { createServer } from "node:http"

/**
 * A server shedding every low-priority request (limit 1: low's share is
 * floor(1 × 0.5) = 0), counting the attempts that arrive, shed or not.
 */
const shedding = Effect.gen(function*() {
  let count = 0
  const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
  // every request that reaches the server, before the middleware sheds it or not
  const server = createServer().on("request", () => count++)
  const url = yield* serve(
    route("/report", Effect.succeed(HttpServerResponse.text("report"))),
    { concurrencyLimit: limiter },
    server
  )
  return { url, arrivals: Effect.sync(() => count) }
})

/** `requests` low-priority GETs, 6 at a time, through a resilient client with 3 sequential attempts. */
const burst = (url: string, requests: number, retryBudget?: RetryBudget.RetryBudget.Service) =>
  Effect.gen(function*() {
    const client = yield* ResilientHttpClient.make({
      endpoint: url,
      priority: "low",
      strategy: Strategy.sequential({ attempts: 3, delays: Delays.constant("5 millis") }),
      ...(retryBudget === undefined ? {} : { retryBudget })
    })
    return yield* Effect.forEach(
      Array.from({ length: requests }),
      () =>
        Effect.map(
          Effect.scoped(client.execute(HttpRequest.get("report"))),
          (response) => ({ status: response.status, retryAfter: response.headers["retry-after"] })
        ),
      { concurrency: 6 }
    )
  }).pipe(Effect.provide(undici))

describe("load shedding seen from the resilient client", () => {
  scopedLive(
    "a shed 503 is rejected and retried: without a budget every request sends all its attempts",
    () =>
      Effect.gen(function*() {
        const { arrivals, url } = yield* shedding
        const answers = yield* burst(url, 20)
        assert.isTrue(answers.every((a) => a.status === 503 && a.retryAfter === "1"), "the final 503 is returned as is")
        assert.strictEqual(yield* arrivals, 60, "3 attempts per request: a retry storm triples the load")
      })
  )

  scopedLive(
    "with a RetryBudget, a burst of shed 503s costs at most ratio × requests + minPerSecond × ttl retries",
    () =>
      Effect.gen(function*() {
        const { arrivals, url } = yield* shedding
        const budget = yield* RetryBudget.make({ ratio: 0.1, minPerSecond: 1, ttl: "10 seconds" })
        const answers = yield* burst(url, 60, budget)
        assert.isTrue(answers.every((a) => a.status === 503 && a.retryAfter === "1"))
        const attempts = yield* arrivals
        // 60 first attempts; retries within 0.1 × 60 + 1 × 10 = 16 (instead of 120)
        assert.isAtLeast(attempts, 60)
        assert.isAtMost(attempts, 60 + 16)
        assert.isAtLeast(attempts, 60 + 14, "the budget is spent, not refused outright")
      })
  )
})
