/**
 * Pushback over loopback HTTP, on both lines: a 429 or 503 with `Retry-After` or
 * `X-Retry-After-Ms` holds the client's next attempt, a stop or a wait past the deadline
 * ends the call at once with that response, and `aio_request_pushbacks` counts them.
 * The waits are lower bounds (the next request arrives no earlier than asked), never speeds.
 */
import { Delays, Strategy } from "@aio-request/line/core"
import { Headers, HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { assert, counter, describe, Effect, it, undici } from "@aio-request/line/platform-testkit"
import { createServer } from "node:http"
import type { OutgoingHttpHeaders, Server } from "node:http"
import type { AddressInfo } from "node:net"

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))

/** A loopback server answering its n-th request (from 0) with `answers[n]` (the last one after that). */
const server = (answers: ReadonlyArray<{ readonly status: number; readonly headers?: OutgoingHttpHeaders }>) => {
  const arrivals: Array<number> = []
  const s = createServer((_, response) => {
    arrivals.push(performance.now())
    const answer = answers[Math.min(arrivals.length - 1, answers.length - 1)]!
    response.writeHead(answer.status, answer.headers)
    response.end("answer")
  })
  return Effect.acquireRelease(
    Effect.promise(() =>
      listen(s).then(() => ({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, arrivals }))
    ),
    () =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          s.closeAllConnections()
          s.close(() => resolve())
        })
      )
  )
}

const test = <E, R>(name: string, body: Effect.Effect<void, E, R>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body, undici)) as Effect.Effect<void, unknown>)

const strategy = Strategy.sequential({ attempts: 3, delays: Delays.constant("10 millis") })
const pushbacks = (url: string, decision: string) =>
  counter(HttpMetrics.pushbacks, {
    request_endpoint: url,
    request_method: "GET",
    request_path: "things",
    pushback_decision: decision
  })

describe("ResilientHttpClient pushback", () => {
  test(
    "waits the Retry-After of a 503 before its next attempt",
    Effect.gen(function*() {
      const { arrivals, url } = yield* server([{ status: 503, headers: { "retry-after": "1" } }, { status: 200 }])
      const http = yield* ResilientHttpClient.make({ endpoint: url, strategy, timeout: "10 seconds" })
      const response = yield* http.execute(HttpRequest.get("things"))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(arrivals.length, 2)
      // 10 ms of backoff asked by the strategy, 1 s by the server
      assert.isAtLeast(arrivals[1]! - arrivals[0]!, 990)
      assert.strictEqual(yield* pushbacks(url, "wait"), 1)
    })
  )

  test(
    "reads X-Retry-After-Ms before Retry-After, on a 429",
    Effect.gen(function*() {
      const { arrivals, url } = yield* server([
        { status: 429, headers: { "retry-after": "30", [Headers.RetryAfterMs]: "300" } },
        { status: 200 }
      ])
      const http = yield* ResilientHttpClient.make({ endpoint: url, strategy, timeout: "10 seconds" })
      assert.strictEqual((yield* http.execute(HttpRequest.get("things"))).status, 200)
      assert.isAtLeast(arrivals[1]! - arrivals[0]!, 290)
    })
  )

  test(
    "a stop (negative X-Retry-After-Ms) ends the call at once with that response",
    Effect.gen(function*() {
      const { arrivals, url } = yield* server([{ status: 503, headers: { [Headers.RetryAfterMs]: "-1" } }])
      const http = yield* ResilientHttpClient.make({ endpoint: url, strategy, timeout: "10 seconds" })
      const response = yield* http.execute(HttpRequest.get("things"))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(response.headers[Headers.RetryAfterMs], "-1")
      assert.strictEqual(arrivals.length, 1)
      assert.strictEqual(yield* pushbacks(url, "stop"), 1)
    })
  )

  test(
    "a wait that would pass the deadline ends the call at once with that response",
    Effect.gen(function*() {
      const { arrivals, url } = yield* server([{ status: 503, headers: { "retry-after": "30" } }])
      const http = yield* ResilientHttpClient.make({ endpoint: url, strategy, timeout: "5 seconds" })
      const response = yield* http.execute(HttpRequest.get("things"))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(response.headers["retry-after"], "30")
      assert.strictEqual(arrivals.length, 1)
      assert.strictEqual(yield* pushbacks(url, "deadline"), 1)
    })
  )

  test(
    "a wait over maxWait is a stop; pushback: false retries at the strategy's own delays",
    Effect.gen(function*() {
      const capped = yield* server([{ status: 503, headers: { "retry-after": "2" } }])
      const http = yield* ResilientHttpClient.make({
        endpoint: capped.url,
        strategy,
        timeout: "10 seconds",
        pushback: { maxWait: "1 second" }
      })
      assert.strictEqual((yield* http.execute(HttpRequest.get("things"))).status, 503)
      assert.strictEqual(capped.arrivals.length, 1)

      const ignored = yield* server([{ status: 503, headers: { [Headers.RetryAfterMs]: "-1" } }])
      const off = yield* ResilientHttpClient.make({ endpoint: ignored.url, strategy, pushback: false })
      assert.strictEqual((yield* off.execute(HttpRequest.get("things"))).status, 503)
      assert.strictEqual(ignored.arrivals.length, 3)
    })
  )

  test(
    "Retry-After garbage is ignored, as if absent",
    Effect.gen(function*() {
      const { arrivals, url } = yield* server([{ status: 503, headers: { "retry-after": "soon" } }])
      const http = yield* ResilientHttpClient.make({ endpoint: url, strategy })
      assert.strictEqual((yield* http.execute(HttpRequest.get("things"))).status, 503)
      assert.strictEqual(arrivals.length, 3)
    })
  )

  it("refuses an invalid pushback option", () => {
    assert.throws(
      () => ResilientHttpClient.make({ endpoint: "http://localhost/", pushback: "yes" as unknown as boolean }),
      /option "pushback" must be true, false or \{ maxWait \}/
    )
  })
})
