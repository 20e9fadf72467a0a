/**
 * ServerMiddleware pushback on both lines: a shed answer tells the client when to come back, and
 * the resilient client honours it (over loopback HTTP).
 */
import { ConcurrencyLimit, Delays, Strategy } from "@aio-request/line/core"
import { Headers, HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  counter,
  describe,
  Effect,
  HttpServerResponse,
  Ref,
  route,
  scopedLive,
  serve,
  undici
} from "@aio-request/line/platform-testkit"

describe("ServerMiddleware pushback", () => {
  scopedLive(
    "a shed 503 carries Retry-After and X-Retry-After-Ms, and the client sends nothing more",
    () =>
      Effect.gen(function*() {
        // limit 1: low's share is floor(1 × 0.5) = 0, every low request is shed
        const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
        const arrivals = yield* Ref.make(0)
        const router = route(
          "/fast",
          Effect.andThen(Ref.update(arrivals, (n) => n + 1), Effect.succeed(HttpServerResponse.text("fast")))
        )
        const shed = counter(HttpMetrics.serverShed, { request_priority: "low" })
        const before = yield* shed
        const url = yield* serve(router, { concurrencyLimit: limiter, shedRetryAfter: "1500 millis" })
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          priority: "low",
          timeout: "1 second",
          strategy: Strategy.sequential({ attempts: 3, delays: Delays.constant("5 millis") })
        })
        const response = yield* Effect.scoped(client.execute(HttpRequest.get("fast")))
        assert.strictEqual(response.status, 503)
        assert.strictEqual(response.headers["retry-after"], "2", "1.5 s rounded up to whole seconds")
        assert.strictEqual(response.headers[Headers.RetryAfterMs], "1500")
        // the 1.5 s asked reach past the 1 s deadline: the call ends with the shed answer, no retry
        assert.strictEqual((yield* shed) - before, 1, "one attempt arrived, and was shed")
        assert.strictEqual(yield* Ref.get(arrivals), 0, "the handler never ran")
      }).pipe(Effect.provide(undici))
  )
})
