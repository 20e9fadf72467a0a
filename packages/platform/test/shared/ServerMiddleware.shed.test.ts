/**
 * ServerMiddleware's load shedding on both lines: 503 with Retry-After by priority, slots
 * released by a cut or a disconnect, and a limit that learns from answers (loopback server).
 */
import { ConcurrencyLimit } from "@aio-request/line/core"
import { HttpMetrics, ServerMiddleware } from "@aio-request/line/platform"
import {
  assert,
  counter,
  Deferred,
  describe,
  Effect,
  Fiber,
  fork,
  get,
  HttpServerResponse,
  it,
  Ref,
  retrySpaced,
  route,
  routes,
  scopedLive,
  send,
  serve
} from "@aio-request/line/platform-testkit"

/** A GET with headers: status, `Retry-After` and body. */
const call = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(
    send("GET", url, headers),
    (response) => ({ status: response.status, retryAfter: response.headers["retry-after"], text: response.text })
  )

const shedCount = (priority: string) => counter(HttpMetrics.serverShed, { request_priority: priority })

/** Waits (live) until the limiter holds `n` requests in flight; fails after ~5 s. */
const awaitInFlight = (limiter: ConcurrencyLimit.ConcurrencyLimit.Service, n: number) =>
  limiter.state.pipe(
    Effect.filterOrFail((s) => s.inFlight === n, (s) => `in flight ${s.inFlight}, expected ${n}`),
    (effect) => retrySpaced(effect, "10 millis", 500)
  )

/** A router with `/hold` (waits for `gate`) and `/fast`, counting the handlers that ran. */
const app = Effect.gen(function*() {
  const ran = yield* Ref.make(0)
  const gate = yield* Deferred.make<void>()
  const router = routes(
    route(
      "/hold",
      Effect.andThen(Ref.update(ran, (n) => n + 1), Effect.as(Deferred.await(gate), HttpServerResponse.text("held")))
    ),
    route("/fast", Effect.andThen(Ref.update(ran, (n) => n + 1), Effect.succeed(HttpServerResponse.text("fast")))),
    route("/slow", Effect.as(Effect.sleep("30 seconds"), HttpServerResponse.text("slow")))
  )
  return { ran, gate, router }
})

describe("ServerMiddleware load shedding", () => {
  it("options: concurrencyLimit must be a ConcurrencyLimit service, shedRetryAfter a positive duration", () => {
    assert.throws(
      () => ServerMiddleware.make({ concurrencyLimit: {} as ConcurrencyLimit.ConcurrencyLimit.Service }),
      /ServerMiddleware\.make: option "concurrencyLimit" must be a ConcurrencyLimit service/
    )
    const unYielded = ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
    assert.throws(
      () =>
        ServerMiddleware.make({ concurrencyLimit: unYielded as unknown as ConcurrencyLimit.ConcurrencyLimit.Service }),
      /option "concurrencyLimit" must be a ConcurrencyLimit service .*Effect/
    )
    const limiter = Effect.runSync(unYielded)
    assert.throws(
      () => ServerMiddleware.make({ concurrencyLimit: limiter, shedRetryAfter: 0 }),
      /ServerMiddleware\.make: option "shedRetryAfter"/
    )
  })

  scopedLive(
    "a shed request gets 503 with Retry-After, never reaches the handler, and is counted by priority",
    () =>
      Effect.gen(function*() {
        // limit 2: high below 2 in flight, normal below floor(1.8) = 1, low below floor(1) = 1
        const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(2) })
        const { gate, ran, router } = yield* app
        const url = yield* serve(router, { concurrencyLimit: limiter, shedRetryAfter: "1500 millis" })
        const lowBefore = yield* shedCount("low")
        const normalBefore = yield* shedCount("normal")
        const highBefore = yield* shedCount("high")

        const held = yield* fork(call(`${url}/hold`, { "x-request-priority": "high" }))
        yield* awaitInFlight(limiter, 1)
        assert.strictEqual(yield* Ref.get(ran), 1)

        const low = yield* call(`${url}/fast`, { "x-request-priority": "low" })
        assert.strictEqual(low.status, 503)
        assert.strictEqual(low.retryAfter, "2", "1.5 s rounded up to whole seconds")
        assert.match(low.text, /low-priority request shed/)
        // no header: the default priority (normal) is admitted against its own share
        const normal = yield* call(`${url}/fast`)
        assert.strictEqual(normal.status, 503)
        assert.strictEqual(yield* Ref.get(ran), 1, "no shed request reached a handler")
        assert.strictEqual((yield* shedCount("low")) - lowBefore, 1)
        assert.strictEqual((yield* shedCount("normal")) - normalBefore, 1)

        const high = yield* call(`${url}/fast`, { "x-request-priority": "high" })
        assert.strictEqual(high.status, 200, "high may use the whole limit")
        assert.strictEqual(yield* Ref.get(ran), 2)
        assert.strictEqual((yield* shedCount("high")) - highBefore, 0)

        yield* Deferred.succeed(gate, undefined)
        assert.strictEqual((yield* Fiber.join(held)).status, 200)
        yield* awaitInFlight(limiter, 0)
        assert.strictEqual((yield* call(`${url}/fast`, { "x-request-priority": "low" })).status, 200)
      })
  )

  scopedLive("a request cut by cancelOnTimeout (408) releases its slot", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
      const { router } = yield* app
      const url = yield* serve(router, { concurrencyLimit: limiter, cancelOnTimeout: true })
      const cut = yield* call(`${url}/slow`, { "x-request-timeout": "0.2", "x-request-priority": "high" })
      assert.strictEqual(cut.status, 408)
      yield* awaitInFlight(limiter, 0)
      assert.strictEqual((yield* get(`${url}/fast`, { "x-request-priority": "high" })).status, 200)
    }))

  scopedLive("a client that disconnects releases its slot", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
      const { router } = yield* app
      const url = yield* serve(router, { concurrencyLimit: limiter })
      const fiber = yield* fork(call(`${url}/slow`, { "x-request-priority": "high" }))
      yield* awaitInFlight(limiter, 1)
      assert.strictEqual((yield* call(`${url}/fast`, { "x-request-priority": "high" })).status, 503)
      yield* Fiber.interrupt(fiber) // aborts the connection
      yield* awaitInFlight(limiter, 0)
      assert.strictEqual((yield* call(`${url}/fast`, { "x-request-priority": "high" })).status, 200)
    }))

  scopedLive("the limit learns from answers: a 408 at the deadline is a drop", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({
        limit: ConcurrencyLimit.aimd({ initial: 10, latencyThreshold: "5 seconds" })
      })
      const { router } = yield* app
      const url = yield* serve(router, { concurrencyLimit: limiter, cancelOnTimeout: true })
      assert.strictEqual((yield* call(`${url}/slow`, { "x-request-timeout": "0.1" })).status, 408)
      yield* awaitInFlight(limiter, 0)
      assert.strictEqual((yield* limiter.state).limit, 9)
    }))
})
