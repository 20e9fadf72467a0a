import { CircuitBreaker } from "@aio-request/line/core"
import { HttpMetrics } from "@aio-request/line/platform"
import {
  assert,
  counter,
  describe,
  Effect,
  Exit,
  Fiber,
  fork,
  histogram,
  type HistogramValue,
  it,
  TestClock
} from "@aio-request/line/platform-testkit"

// The metric registry is global to the process: every test uses its own
// endpoint label, so the series it reads are its own.
let next = 0
const uniqueEndpoint = (name: string) => `http://${name}-${process.pid}-${next++}.test`

/** Non-cumulative count per bucket, keyed by upper boundary. */
const perBucket = (state: HistogramValue): Map<number, number> => {
  const result = new Map<number, number>()
  let previous = 0
  for (const [boundary, cumulative] of state.buckets) {
    result.set(boundary, cumulative - previous)
    previous = cumulative
  }
  return result
}

describe("HttpMetrics", () => {
  it("uses the seed's bucket boundaries, in seconds", () => {
    assert.deepStrictEqual(
      HttpMetrics.latencyBuckets,
      [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.75, 1, 5, 10, 15, 20]
    )
  })

  it("uses the seed's status labels for outcomes without a response", () => {
    assert.deepStrictEqual(HttpMetrics.OutcomeStatus, {
      deadlineExceeded: 408,
      tooManyRedirects: 488,
      networkError: 489,
      interrupted: 499,
      circuitOpen: 502
    })
  })

  it.effect("recordClientRequest fills aio_request_latency with the five seed labels", () =>
    Effect.gen(function*() {
      const endpoint = uniqueEndpoint("client")
      const labels = { endpoint, method: "GET", path: "/users/:id" }
      yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 0.02)
      yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 0.3)
      yield* HttpMetrics.recordClientRequest(
        { ...labels, status: HttpMetrics.OutcomeStatus.circuitOpen, circuitBreaker: true },
        0
      )

      const ok = yield* histogram(HttpMetrics.clientLatency, {
        request_endpoint: endpoint,
        request_method: "GET",
        request_path: "/users/:id",
        response_status: "200",
        circuit_breaker: "false"
      })
      assert.strictEqual(ok.count, 2)
      assert.closeTo(ok.sum, 0.32, 1e-9)
      const buckets = perBucket(ok)
      assert.deepStrictEqual([...buckets.keys()], [...HttpMetrics.latencyBuckets, Number.POSITIVE_INFINITY])
      assert.strictEqual(buckets.get(0.025), 1)
      assert.strictEqual(buckets.get(0.3), 1)

      const open = yield* histogram(HttpMetrics.clientLatency, {
        request_endpoint: endpoint,
        request_method: "GET",
        request_path: "/users/:id",
        response_status: "502",
        circuit_breaker: "true"
      })
      assert.strictEqual(open.count, 1)
      assert.strictEqual(perBucket(open).get(0.005), 1)
    }))

  it.effect("recordAttempt records the transport latency and counts attempts, hedges and retries", () =>
    Effect.gen(function*() {
      const endpoint = uniqueEndpoint("attempt")
      const labels = { endpoint, method: "GET", path: "/things" }
      yield* HttpMetrics.recordAttempt({ ...labels, status: 503, kind: "first" }, 0.05)
      yield* HttpMetrics.recordAttempt({ ...labels, status: 200, kind: "retry" }, 0.01)
      yield* HttpMetrics.recordAttempt({ ...labels, status: 200, kind: "hedge" }, 0.2)
      yield* HttpMetrics.recordAttempt({ ...labels, status: 200, kind: "retry" }, 12)

      const tags = { request_endpoint: endpoint, request_method: "GET", request_path: "/things" }
      assert.strictEqual(yield* counter(HttpMetrics.attempts, tags), 4)
      assert.strictEqual(yield* counter(HttpMetrics.hedges, tags), 1)
      assert.strictEqual(yield* counter(HttpMetrics.retries, tags), 2)

      const ok = yield* histogram(HttpMetrics.transportLatency, { ...tags, response_status: "200" })
      assert.strictEqual(ok.count, 3)
      assert.strictEqual(perBucket(ok).get(0.01), 1)
      assert.strictEqual(perBucket(ok).get(0.2), 1)
      assert.strictEqual(perBucket(ok).get(15), 1)
      const failed = yield* histogram(HttpMetrics.transportLatency, { ...tags, response_status: "503" })
      assert.strictEqual(failed.count, 1)
    }))

  it.effect("recordServerRequest labels by client, method, route template and status", () =>
    Effect.gen(function*() {
      const client = uniqueEndpoint("server")
      yield* HttpMetrics.recordServerRequest({ client, method: "POST", path: "/orders/:id", status: 408 }, 0.004)
      const state = yield* histogram(HttpMetrics.serverLatency, {
        request_client: client,
        request_method: "POST",
        request_path: "/orders/:id",
        response_status: "408"
      })
      assert.strictEqual(state.count, 1)
      assert.strictEqual(perBucket(state).get(0.005), 1)
    }))

  it.effect("circuitBreakerTransitions counts each transition a breaker makes, per scope", () =>
    Effect.gen(function*() {
      // seeded by a real breaker (the breaker counts its own transitions)
      const scope = uniqueEndpoint("circuit")
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 second",
        samplingDuration: "10 seconds",
        minimumThroughput: 1,
        failureThreshold: 0.5
      })
      const fail = breaker.execute(scope, Effect.fail("boom"), Exit.isFailure).pipe(Effect.ignore)
      yield* fail // closed → open
      yield* TestClock.adjust("1 second")
      yield* fail // open → half-open → open
      yield* TestClock.adjust("1 second")
      // open → half-open: a probe still running
      const probe = yield* fork(breaker.execute(scope, Effect.never, Exit.isFailure))
      yield* TestClock.adjust("10 millis")
      const count = (from: string, to: string) => counter(HttpMetrics.circuitBreakerTransitions, { scope, from, to })
      assert.strictEqual(yield* count("closed", "open"), 1)
      assert.strictEqual(yield* count("open", "half-open"), 2)
      assert.strictEqual(yield* count("half-open", "open"), 1)
      assert.strictEqual(yield* count("half-open", "closed"), 0)
      yield* Fiber.interrupt(probe)
    }))

  it.effect("a recorder updates the same series as the plain functions, also past its maxSeries", () =>
    Effect.gen(function*() {
      const endpoint = uniqueEndpoint("recorder")
      const recorder = HttpMetrics.makeRecorder({ maxSeries: 2 })
      const labels = { endpoint, method: "GET", path: "/items/:id" }
      for (const status of [200, 503, 200, 404, 200]) {
        yield* recorder.recordClientRequest({ ...labels, status, circuitBreaker: false }, 0.01)
        yield* recorder.recordAttempt({ ...labels, status, kind: "retry" }, 0.01)
      }
      yield* HttpMetrics.recordClientRequest({ ...labels, status: 200, circuitBreaker: false }, 0.01)
      const tags = { request_endpoint: endpoint, request_method: "GET", request_path: "/items/:id" }
      const ok = yield* histogram(HttpMetrics.clientLatency, {
        ...tags,
        response_status: "200",
        circuit_breaker: "false"
      })
      assert.strictEqual(ok.count, 4)
      const notFound = yield* histogram(HttpMetrics.transportLatency, { ...tags, response_status: "404" })
      assert.strictEqual(notFound.count, 1)
      assert.strictEqual(yield* counter(HttpMetrics.attempts, tags), 5)
      assert.strictEqual(yield* counter(HttpMetrics.retries, tags), 5)
      assert.throws(() => HttpMetrics.makeRecorder({ maxSeries: 0 }), /maxSeries/)
    }))
})
