/**
 * `ResilientHttpClient.make({ concurrencyLimit })` on both lines: every attempt is admitted by
 * the limit under the priority the call sends; a refused first attempt fails the call at once
 * with `LoadShedError`; a retry or hedge the limit would refuse is not sent; a 503 or an
 * attempt out of time is a drop. Timing over a scripted transport and TestClock; refusals
 * and a 503 drop over loopback HTTP.
 */
import { ConcurrencyLimit, Delays, Strategy } from "@aio-request/line/core"
import { HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  counter,
  describe,
  Effect,
  failureOf,
  Fiber,
  fork,
  it,
  refused,
  TestClock,
  undici,
  withScriptedClient
} from "@aio-request/line/platform-testkit"
import { createServer } from "node:http"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

let endpoints = 0
/** An endpoint of its own per test: the metrics are global. */
const freshEndpoint = () => `http://limit-${process.pid}-${++endpoints}.test/`

/** Answers after `millis` of TestClock time with `status`, counting what was sent. */
const slow = (millis: number, status = 200) => {
  const sent: Array<string> = []
  return {
    sent,
    counting: (url: string) => {
      sent.push(url)
      return Effect.as(Effect.sleep(`${millis} millis`), status)
    }
  }
}

const shedOf = (exit: Parameters<typeof failureOf>[0]) => failureOf(exit) as unknown as ConcurrencyLimit.LoadShedError

describe("ResilientHttpClient concurrencyLimit: timing (TestClock)", () => {
  it.effect("over the limit the call fails at once with LoadShedError, nothing sent; a freed slot admits again", () => {
    const upstream = slow(1000)
    return Effect.gen(function*() {
      const endpoint = freshEndpoint()
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(2), shares: { normal: 1 } })
      const client = yield* ResilientHttpClient.make({ endpoint, concurrencyLimit: limit })
      const first = yield* fork(client.execute(HttpRequest.get("a")))
      const second = yield* fork(client.execute(HttpRequest.get("b")))
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* limit.state, { limit: 2, inFlight: 2 })

      // no time passes: the refusal is immediate, and the default strategy sends no retry
      const error = shedOf(yield* Effect.exit(client.execute(HttpRequest.get("c"))))
      assert.deepStrictEqual([error._tag, error.priority, error.limit, error.inFlight], [
        "LoadShedError",
        "normal",
        2,
        2
      ])
      assert.strictEqual(upstream.sent.length, 2)

      yield* TestClock.adjust("999 millis")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      assert.strictEqual((yield* Fiber.join(second)).status, 200)
      assert.deepStrictEqual(yield* limit.state, { limit: 2, inFlight: 0 })
      const third = yield* fork(client.execute(HttpRequest.get("d")))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(third)).status, 200)

      const labels = { request_endpoint: endpoint, request_priority: "normal" }
      assert.strictEqual(yield* counter(HttpMetrics.clientAdmitted, labels), 3)
      assert.strictEqual(yield* counter(HttpMetrics.clientShed, labels), 1)
    }).pipe(withScriptedClient(upstream.counting))
  })

  it.effect("the priority the call sends is what the limit admits by: low is shed first", () => {
    const upstream = slow(1000)
    return Effect.gen(function*() {
      const endpoint = freshEndpoint()
      // fixed(4): low may use 2 slots, high all 4
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(4) })
      const low = yield* ResilientHttpClient.make({ endpoint, priority: "low", concurrencyLimit: limit })
      const high = yield* ResilientHttpClient.make({ endpoint, priority: "high", concurrencyLimit: limit })
      const lows = [
        yield* fork(low.execute(HttpRequest.get("x"))),
        yield* fork(low.execute(HttpRequest.get("x")))
      ]
      yield* TestClock.adjust("1 millis")
      const error = shedOf(yield* Effect.exit(low.execute(HttpRequest.get("x"))))
      assert.deepStrictEqual([error.priority, error.inFlight], ["low", 2])
      const highs = [
        yield* fork(high.execute(HttpRequest.get("x"))),
        yield* fork(high.execute(HttpRequest.get("x")))
      ]
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* limit.state, { limit: 4, inFlight: 4 })
      yield* TestClock.adjust("1 second")
      for (const fiber of [...lows, ...highs]) assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
      assert.strictEqual(
        yield* counter(HttpMetrics.clientShed, { request_endpoint: endpoint, request_priority: "low" }),
        1
      )
      assert.strictEqual(
        yield* counter(HttpMetrics.clientAdmitted, { request_endpoint: endpoint, request_priority: "high" }),
        2
      )
    }).pipe(withScriptedClient(upstream.counting))
  })

  it.effect("hedges hold slots too; a hedge the limit refuses is not sent and the call goes on", () => {
    // every attempt is answered 503 after a second
    const upstream = slow(1000, 503)
    return Effect.gen(function*() {
      const endpoint = freshEndpoint()
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(2), shares: { normal: 1 } })
      const client = yield* ResilientHttpClient.make({
        endpoint,
        concurrencyLimit: limit,
        // hedges at 100 and 200 millis
        strategy: Strategy.parallel({ attempts: 3, delays: Delays.linear({ multiplier: "100 millis", jitter: 0 }) })
      })
      const call = yield* fork(client.execute(HttpRequest.get("x")))
      yield* TestClock.adjust("150 millis")
      // the first attempt and the first hedge
      assert.deepStrictEqual(yield* limit.state, { limit: 2, inFlight: 2 })
      assert.strictEqual(upstream.sent.length, 2)
      // a new call finds the hedge holding the second slot
      const other = shedOf(yield* Effect.exit(client.execute(HttpRequest.get("y"))))
      assert.strictEqual(other.inFlight, 2)
      yield* TestClock.adjust("100 millis")
      // the second hedge was refused: not sent
      assert.strictEqual(upstream.sent.length, 2)
      yield* TestClock.adjust("850 millis")
      // no attempt accepted: the result is the first rejection that came back, the 503 of the
      // first attempt (the refused hedge is no outcome of its own)
      assert.strictEqual((yield* Fiber.join(call)).status, 503)
      assert.deepStrictEqual(yield* limit.state, { limit: 2, inFlight: 0 })
      const labels = { request_endpoint: endpoint, request_priority: "normal" }
      assert.strictEqual(yield* counter(HttpMetrics.clientAdmitted, labels), 2)
      assert.strictEqual(yield* counter(HttpMetrics.clientShed, labels), 2)
    }).pipe(withScriptedClient(upstream.counting))
  })

  it.effect("a 503 is a drop: AIMD comes down, and a retry it no longer admits is not sent", () => {
    const sent: Array<string> = []
    const answer = (url: string) => {
      sent.push(url)
      return url.endsWith("/busy")
        ? Effect.as(Effect.sleep("500 millis"), 503)
        : Effect.as(Effect.sleep("2 seconds"), 200)
    }
    return Effect.gen(function*() {
      const endpoint = freshEndpoint()
      const limit = yield* ConcurrencyLimit.make({
        limit: ConcurrencyLimit.aimd({ initial: 2 }),
        shares: { normal: 1 }
      })
      const client = yield* ResilientHttpClient.make({
        endpoint,
        concurrencyLimit: limit,
        strategy: Strategy.sequential({ attempts: 3, delays: Delays.constant("100 millis") })
      })
      const busy = yield* fork(client.execute(HttpRequest.get("busy")))
      const long = yield* fork(client.execute(HttpRequest.get("long")))
      yield* TestClock.adjust("500 millis")
      // the 503 took the limit from 2 to 1, which the long call fills: the retry is refused
      // before its wait, and the call ends with the 503 it has
      assert.strictEqual((yield* Fiber.join(busy)).status, 503)
      assert.deepStrictEqual(yield* limit.state, { limit: 1, inFlight: 1 })
      assert.strictEqual(sent.filter((url) => url.endsWith("/busy")).length, 1)
      yield* TestClock.adjust("1500 millis")
      assert.strictEqual((yield* Fiber.join(long)).status, 200)
      assert.strictEqual(
        yield* counter(HttpMetrics.clientShed, { request_endpoint: endpoint, request_priority: "normal" }),
        1
      )
    }).pipe(withScriptedClient(answer))
  })

  it.effect("a retry checked before its wait but refused when sent is a rejected attempt, not sent", () => {
    const sent: Array<string> = []
    const answer = (url: string) => {
      sent.push(url)
      return url.endsWith("/first")
        ? Effect.as(Effect.sleep("10 millis"), 503)
        : Effect.as(Effect.sleep("1 second"), 200)
    }
    return Effect.gen(function*() {
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1), shares: { normal: 1 } })
      const client = yield* ResilientHttpClient.make({
        endpoint: freshEndpoint(),
        concurrencyLimit: limit,
        strategy: Strategy.sequential({ attempts: 2, delays: Delays.constant("100 millis") })
      })
      const first = yield* fork(Effect.exit(client.execute(HttpRequest.get("first"))))
      // the 503 at 10 millis frees the slot: the retry is checked then, and admitted
      yield* TestClock.adjust("50 millis")
      // another call takes the slot during the retry's wait
      const other = yield* fork(client.execute(HttpRequest.get("other")))
      yield* TestClock.adjust("60 millis")
      // at 110 millis the retry finds the slot taken: refused when sent, it was the last attempt
      const error = shedOf(yield* Fiber.join(first))
      assert.deepStrictEqual([error._tag, error.inFlight], ["LoadShedError", 1])
      assert.deepStrictEqual(sent.map((url) => url.slice(url.lastIndexOf("/"))), ["/first", "/other"])
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(other)).status, 200)
    }).pipe(withScriptedClient(answer))
  })

  it.effect("an attempt that runs out of time is a drop", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.aimd({ initial: 10 }) })
      const client = yield* ResilientHttpClient.make({
        endpoint: freshEndpoint(),
        concurrencyLimit: limit,
        timeout: "300 millis",
        strategy: Strategy.single
      })
      const call = yield* fork(Effect.exit(client.execute(HttpRequest.get("x"))))
      yield* TestClock.adjust("300 millis")
      const error = failureOf(yield* Fiber.join(call)) as { readonly _tag: string }
      assert.strictEqual(error._tag, "DeadlineExceededError")
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* limit.state, { limit: 9, inFlight: 0 })
    }).pipe(withScriptedClient(() => Effect.as(Effect.sleep("1 second"), 200))))

  it("refuses a concurrencyLimit that is not a ConcurrencyLimit service, naming the option", () => {
    const message = refused(() =>
      ResilientHttpClient.make({
        endpoint: "http://x.test/",
        concurrencyLimit: {} as unknown as ConcurrencyLimit.ConcurrencyLimit.Service
      })
    )
    assert.include(message, "concurrencyLimit")
  })
})

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))

/** A loopback server answering with `handler`; its URL and the number of requests it received. */
const serve = (handler: (request: IncomingMessage, response: ServerResponse) => void) => {
  const state = { received: 0 }
  const s = createServer((request, response) => {
    state.received++
    handler(request, response)
  })
  return Effect.acquireRelease(
    Effect.promise(() =>
      listen(s).then(() => ({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, state }))
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

const live = <E, R>(name: string, body: Effect.Effect<void, E, R>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body, undici)) as Effect.Effect<void, unknown>)

describe("ResilientHttpClient concurrencyLimit over loopback HTTP", () => {
  live(
    "a call over the limit is refused without reaching the server",
    Effect.gen(function*() {
      const held: Array<ServerResponse> = []
      const { state, url } = yield* serve((_, response) => held.push(response))
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1), shares: { normal: 1 } })
      const client = yield* ResilientHttpClient.make({ endpoint: url, concurrencyLimit: limit })
      const first = yield* fork(client.execute(HttpRequest.get("x")))
      while (state.received < 1) yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      const error = shedOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
      assert.deepStrictEqual([error._tag, error.limit, error.inFlight], ["LoadShedError", 1, 1])
      assert.strictEqual(state.received, 1)
      held[0]!.end("ok")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      held.length = 0
      const again = yield* fork(client.execute(HttpRequest.get("x")))
      while (state.received < 2) yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      held[0]!.end("ok")
      assert.strictEqual((yield* Fiber.join(again)).status, 200)
      const labels = { request_endpoint: url, request_priority: "normal" }
      assert.strictEqual(yield* counter(HttpMetrics.clientAdmitted, labels), 2)
      assert.strictEqual(yield* counter(HttpMetrics.clientShed, labels), 1)
    })
  )

  live(
    "a 503 from the server lowers an AIMD limit, and is returned as a response",
    Effect.gen(function*() {
      const { url } = yield* serve((_, response) => {
        response.writeHead(503)
        response.end("busy")
      })
      const limit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.aimd({ initial: 10 }) })
      const client = yield* ResilientHttpClient.make({
        endpoint: url,
        concurrencyLimit: limit,
        strategy: Strategy.single
      })
      const response = yield* client.execute(HttpRequest.get("x"))
      assert.strictEqual(response.status, 503)
      assert.deepStrictEqual(yield* limit.state, { limit: 9, inFlight: 0 })
    })
  )
})
