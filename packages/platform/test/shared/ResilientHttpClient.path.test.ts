/**
 * Issue 11: redirects that mean the same over every transport, the deadline
 * over the body, header checks, errors a user can act on, options checked for
 * JavaScript callers, and one classifier call per attempt. On both lines, over node:http
 * loopback servers; an HTTP client error is read through the kit's `httpErrorOf` (Effect 3's
 * `RequestError` is, on Effect 4, the `HttpClientError` of the same reason).
 */
import { CircuitBreaker, Deadline, Strategy } from "@aio-request/line/core"
import { HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import type { ResponseClassifier } from "@aio-request/line/platform"
import { chaosTransports, Clock, Schedule } from "@aio-request/line/platform-support"
import {
  assert,
  counter as metricCount,
  describe,
  Duration,
  Effect,
  Exit,
  failureOf,
  Fiber,
  fork,
  histogram,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  httpErrorOf,
  it,
  pollNow,
  Ref,
  scopedLive,
  Stream,
  TestClock,
  undici
} from "@aio-request/line/platform-testkit"
import type { IncomingMessage, ServerResponse } from "node:http"
import { loopback, refusedUrl } from "./support/loopback.js"

const eventually = <A>(effect: Effect.Effect<A>, predicate: (a: A) => boolean): Effect.Effect<A> =>
  effect.pipe(
    Effect.filterOrFail(predicate, () => "condition not reached"),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 250 }),
    Effect.orDie
  )

/** Serves `handler` (node:http) on 127.0.0.1; the base URL (no trailing slash). */
const serve = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.map(loopback(handler), ({ url }) => url)

/** A counter bumped from a node:http handler (outside any fiber). */
const counted = () => {
  let n = 0
  return { hit: () => void n++, get: Effect.sync(() => n) }
}

/** The view of an HTTP client error; fails the test on anything else. */
const viewOf = (error: unknown) => {
  const view = httpErrorOf(error)
  if (view === undefined) return assert.fail(`expected an HTTP client error, got ${String(error)}`)
  return view
}

/** The three transports, fetch as it comes (it follows redirects itself unless told not to). */
const transports = chaosTransports.map((transport) =>
  transport.name === "fetch" ? { ...transport, name: "fetch (no RequestInit)" } : transport
)

for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}: redirects, headers, body deadline`, () => {
    scopedLive(
      "followRedirects: false returns the 3xx; maxRedirects ends in TooManyRedirectsError",
      () =>
        Effect.gen(function*() {
          const hits = counted()
          const url = yield* serve((request, response) => {
            hits.hit()
            const loop = /^\/loop\/(\d+)$/.exec(request.url!)
            if (request.url === "/a") response.writeHead(302, { location: "/b" }).end()
            else if (request.url === "/b") response.end("b")
            else if (loop !== null) response.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end()
            else response.writeHead(404).end()
          })
          const notFollowing = yield* ResilientHttpClient.make({ endpoint: url, followRedirects: false })
          const redirect = yield* notFollowing.execute(HttpRequest.get("a"))
          assert.strictEqual(redirect.status, 302)
          assert.strictEqual(redirect.headers["location"], "/b")
          assert.strictEqual(yield* hits.get, 1, "the redirect was not followed")

          const following = yield* ResilientHttpClient.make({ endpoint: url, maxRedirects: 2 })
          assert.strictEqual(yield* Effect.flatMap(following.execute(HttpRequest.get("a")), (r) => r.text), "b")
          const error = failureOf(
            yield* Effect.exit(following.execute(HttpRequest.get("loop/{n}", { path: { n: 0 } })))
          )
          assert.strictEqual(error._tag, "TooManyRedirectsError")
          assert.deepStrictEqual((error as ResilientHttpClient.TooManyRedirectsError).locations, [
            `${url}/loop/1`,
            `${url}/loop/2`,
            `${url}/loop/3`
          ])
          assert.include(error.message, `GET ${url}/loop/0`)
          assert.strictEqual(yield* hits.get, 3 + 3, "loop/0, loop/1, loop/2: three hops sent, not 21")
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "only http(s) locations are followed; anything else is an InvalidRedirectError",
      () =>
        Effect.gen(function*() {
          const locations = [
            "data:text/plain,injected",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://[not-a-host",
            "ftp://example.test/x"
          ]
          const url = yield* serve((request, response) => {
            response.writeHead(302, { location: locations[Number(request.url!.slice("/to/".length))]! }).end()
          })
          const client = yield* ResilientHttpClient.make({ endpoint: url })
          for (let i = 0; i < locations.length; i++) {
            const exit = yield* Effect.exit(client.execute(HttpRequest.get("to/{i}", { path: { i } })))
            const error = failureOf(exit) as ResilientHttpClient.InvalidRedirectError
            assert.strictEqual(error._tag, "InvalidRedirectError", locations[i])
            assert.strictEqual(error.location, locations[i])
            assert.strictEqual(error.status, 302)
            assert.strictEqual(error.reason, i === 3 ? "InvalidLocation" : "UnsupportedScheme")
            assert.include(error.message, `GET ${url}/to/${i}`)
          }
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "a bad request header is a RequestError (Encode) naming it, and nothing is sent",
      () =>
        Effect.gen(function*() {
          const hits = counted()
          const url = yield* serve((_, response) => {
            hits.hit()
            response.end("ok")
          })
          const client = yield* ResilientHttpClient.make({ endpoint: url })
          for (const value of ["a\r\nX-Injected: 1", "a\nb", "price €", "nul\u0000"]) {
            const error = failureOf(
              yield* Effect.exit(client.execute(HttpRequest.get("x", { headers: { "x-note": value } })))
            )
            assert.strictEqual(viewOf(error).side, "request", JSON.stringify(value))
            assert.strictEqual(viewOf(error).reason, "Encode")
            assert.include(error.message, `"x-note"`)
          }
          const enriching = yield* ResilientHttpClient.make({
            endpoint: url,
            enrich: (request) => Effect.succeed(HttpClientRequest.setHeader(request, "x-signature", "ok\r\nevil: 1"))
          })
          const enriched = failureOf(yield* Effect.exit(enriching.execute(HttpRequest.get("x"))))
          assert.strictEqual(viewOf(enriched).reason, "Encode")
          assert.include(enriched.message, `"x-signature"`)
          assert.strictEqual(yield* hits.get, 0)
          // Latin-1 is fine
          assert.strictEqual(
            (yield* client.execute(HttpRequest.get("x", { headers: { "x-note": "café" } }))).status,
            200
          )
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "the deadline covers the body: a body still streaming fails (phase body) and is closed",
      () =>
        Effect.gen(function*() {
          const closed = counted()
          const url = yield* serve((_, response) => {
            // a dot every 100 ms, 100 of them: the body ends after 10 s
            response.writeHead(200, { "content-type": "text/plain" })
            let sent = 0
            const timer = setInterval(() => {
              response.write(".")
              if (++sent === 100) response.end()
            }, 100)
            response.on("close", () => {
              clearInterval(timer)
              closed.hit()
            })
          })
          const client = yield* ResilientHttpClient.make({ endpoint: url, timeout: "700 millis" })
          const started = yield* Clock.currentTimeMillis
          const response = yield* client.execute(HttpRequest.get("drip"))
          const exit = yield* Effect.exit(response.text)
          const elapsed = (yield* Clock.currentTimeMillis) - started
          const error = failureOf(exit) as unknown as Deadline.DeadlineExceededError
          assert.strictEqual(error._tag, "DeadlineExceededError")
          assert.strictEqual(error.phase, "body")
          assert.include(error.message, `GET ${url}/drip`)
          assert.isBelow(elapsed, 5_000, "cut at the deadline, not when the body ends (10 s)")
          assert.strictEqual(yield* eventually(closed.get, (n) => n === 1), 1, "the server saw the connection end")

          // the stream is cut too
          const streamed = yield* client.execute(HttpRequest.get("drip"))
          const streamError = failureOf(yield* Effect.exit(Stream.runDrain(streamed.stream))) as unknown as {
            readonly _tag: string
            readonly phase?: string
          }
          assert.deepStrictEqual([streamError._tag, streamError.phase], ["DeadlineExceededError", "body"])
          assert.strictEqual(yield* eventually(closed.get, (n) => n === 2), 2)
        }).pipe(Effect.provide(transport.layer))
    )
  })
}

describe("ResilientHttpClient: one record per attempt", () => {
  scopedLive(
    "a hedge that wins and the attempt it beat: counted when sent, the loser recorded as 499",
    () =>
      Effect.gen(function*() {
        const calls = counted()
        const url = yield* serve((_, response) => {
          calls.hit()
          if (Effect.runSync(calls.get) === 1) {
            const timer = setTimeout(() => response.end("ok"), 5000)
            response.on("close", () => clearTimeout(timer))
          } else response.end("ok")
        })
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.parallel({ attempts: 2, delays: { delay: () => Effect.succeed(Duration.millis(50)) } })
        })
        assert.strictEqual(yield* Effect.flatMap(client.execute(HttpRequest.get("slow-first")), (r) => r.text), "ok")
        const labels = { endpoint: `${url}/`, method: "GET", path: "slow-first" }
        const tags = { request_endpoint: labels.endpoint, request_method: labels.method, request_path: labels.path }
        const transport = (status: number) =>
          Effect.map(
            histogram(HttpMetrics.transportLatency, { ...tags, response_status: String(status) }),
            (state) => state.count
          )
        const count = (metric: typeof HttpMetrics.attempts) => metricCount(metric, tags)
        assert.strictEqual(yield* count(HttpMetrics.attempts), 2)
        assert.strictEqual(yield* count(HttpMetrics.hedges), 1)
        assert.strictEqual(yield* count(HttpMetrics.retries), 0)
        assert.strictEqual(yield* transport(200), 1)
        assert.strictEqual(yield* transport(499), 1)
      }).pipe(Effect.provide(undici))
  )
})

describe("ResilientHttpClient: errors a user can act on", () => {
  scopedLive(
    "a refused connection names the method, the URL, the system error and the address",
    () =>
      Effect.gen(function*() {
        const url = yield* refusedUrl
        const client = yield* ResilientHttpClient.make({ endpoint: url, strategy: Strategy.single })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("users/{id}", { path: { id: 1 } }))))
        assert.strictEqual(viewOf(error).side, "request")
        assert.include(error.message, `GET ${url}/users/1`)
        assert.include(error.message, `ECONNREFUSED ${url.replace("http://", "")}`)
        assert.include(error.message, "3 connects")
      }).pipe(Effect.provide(undici))
  )

  scopedLive("a deadline says which request, its budget and where it ran out", () =>
    Effect.gen(function*() {
      const url = yield* serve((_, response) => {
        const timer = setTimeout(() => response.end(), 5000)
        response.on("close", () => clearTimeout(timer))
      })
      const client = yield* ResilientHttpClient.make({
        endpoint: url,
        strategy: Strategy.single,
        timeout: "200 millis"
      })
      const error = failureOf(
        yield* Effect.exit(client.execute(HttpRequest.get("slow")))
      ) as Deadline.DeadlineExceededError
      assert.strictEqual(error._tag, "DeadlineExceededError")
      assert.strictEqual(error.phase, "run")
      assert.include(error.message, `GET ${url}/slow`)
      // the budget is what was left when the run began: the 200 ms timeout,
      // less the time (a millisecond on a busy machine) between the client
      // reading the clock and the run starting
      const budget = Duration.toMillis(error.budget!)
      assert.isAtMost(budget, 200)
      assert.isAtLeast(budget, 150)
      assert.include(error.message, `deadline of ${Math.round(budget)}ms exceeded`)
    }).pipe(Effect.provide(undici)))
})

describe("ResilientHttpClient: options checked at construction", () => {
  const endpoint = "http://127.0.0.1:1/"
  const refused: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["circuitBreaker", { circuitBreaker: {} }],
    [
      "circuitBreaker",
      {
        circuitBreaker: CircuitBreaker.make({
          breakDuration: "1 second",
          samplingDuration: "1 second",
          minimumThroughput: 1,
          failureThreshold: 0.5
        })
      }
    ],
    ["retryBudget", { retryBudget: {} }],
    ["followRedirects", { followRedirects: "no" }],
    ["emitSystemHeaders", { emitSystemHeaders: 1 }],
    ["enrich", { enrich: "sign" }],
    ["classifier", { classifier: {} }],
    ["strategy", { strategy: "sequential" }],
    ["serviceName", { serviceName: "a\r\nX-Injected: 1" }],
    ["serviceName", { serviceName: "checkout €" }],
    ["serviceName", { serviceName: 42 }],
    ["lowTimeoutThreshold", { lowTimeoutThreshold: "soon" }],
    ["timeout", { timeout: "0 millis" }],
    ["priority", { priority: "urgent" }],
    ["connectionAttempts", { connectionAttempts: 1.5 }],
    ["maxRedirects", { maxRedirects: "10" }],
    ["endpoint", { endpoint: 42 }],
    ["options", null as unknown as Record<string, unknown>]
  ]
  for (const [option, extra] of refused) {
    it(`refuses a bad ${option}, naming it`, () => {
      const options = extra === null ? null : { endpoint, ...extra }
      assert.throws(
        () => ResilientHttpClient.make(options as unknown as ResilientHttpClient.ResilientHttpClient.Options),
        new RegExp(`ResilientHttpClient\\.make: option "${option}"`)
      )
    })
  }

  it("refuses a {placeholder} outside the path instead of sending it raw", () =>
    Effect.runPromise(
      Effect.gen(function*() {
        const client = yield* ResilientHttpClient.make({ endpoint })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("api/search?q={q}"))))
        assert.strictEqual(viewOf(error).side, "request")
        assert.strictEqual(viewOf(error).reason, "InvalidUrl")
        assert.include(error.message, "placeholder")
      }).pipe(Effect.provide(undici))
    ))
})

/** An underlying client that answers at once with `status` and a body that never ends. */
const fakeClient = (status: number | Ref.Ref<number>, calls: Ref.Ref<number>) =>
  HttpClient.make((request) =>
    Effect.map(
      Effect.andThen(
        Ref.update(calls, (n) => n + 1),
        typeof status === "number" ? Effect.succeed(status) : Ref.get(status)
      ),
      (status) =>
        HttpClientResponse.fromWeb(
          request,
          new Response(
            new ReadableStream({
              start: (controller) => controller.enqueue(new TextEncoder().encode("partial"))
            }),
            { status }
          )
        )
    )
  )

describe("ResilientHttpClient timing rules (TestClock)", () => {
  it.effect("the body of the winner is cut at the request's deadline, not before", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const client = yield* ResilientHttpClient.make({ endpoint: "http://upstream.test/", timeout: "1 second" }).pipe(
        Effect.provideService(HttpClient.HttpClient, fakeClient(200, calls))
      )
      const response = yield* client.execute(HttpRequest.get("x"))
      const reading = yield* fork(Effect.exit(response.text))
      yield* TestClock.adjust("999 millis")
      assert.isUndefined(pollNow(reading))
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.join(reading)
      const error = failureOf(exit) as unknown as Deadline.DeadlineExceededError
      assert.deepStrictEqual([error._tag, error.phase], ["DeadlineExceededError", "body"])
      assert.strictEqual(Duration.toMillis(error.budget!), 1000)
    }))

  it.effect("one breaker shared by two clients: each transition counted once, all four kinds", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const status = yield* Ref.make(503)
      const endpoint = `http://shared-${process.pid}.test/`
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 second",
        samplingDuration: "1 minute",
        minimumThroughput: 2,
        failureThreshold: 0.5
      })
      const [a, b] = yield* Effect.all(
        [1, 2].map(() =>
          ResilientHttpClient.make({ endpoint, circuitBreaker: breaker, strategy: Strategy.single }).pipe(
            Effect.provideService(HttpClient.HttpClient, fakeClient(status, calls))
          )
        )
      )
      const get = (client: typeof a) => Effect.exit(client!.execute(HttpRequest.get("x")))
      yield* get(a)
      yield* get(b) // closed -> open
      assert.strictEqual(failureOf(yield* get(a))._tag, "CircuitBreakerOpenError")
      yield* TestClock.adjust("1 second")
      yield* get(b) // open -> half-open, the probe fails: half-open -> open
      yield* TestClock.adjust("1 second")
      yield* Ref.set(status, 200)
      yield* get(a) // open -> half-open, the probe succeeds: half-open -> closed
      const count = (from: string, to: string) =>
        metricCount(HttpMetrics.circuitBreakerTransitions, { scope: endpoint, from, to })
      assert.deepStrictEqual(
        yield* Effect.all([
          count("closed", "open"),
          count("open", "half-open"),
          count("half-open", "open"),
          count("half-open", "closed"),
          count("open", "closed")
        ]),
        [1, 2, 1, 1, 0]
      )
    }))

  it.effect("the classifier runs once per attempt", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      let classified = 0
      const classifier: ResponseClassifier.ResponseClassifier = (exit) => {
        classified++
        return Exit.isSuccess(exit) && exit.value.status < 500 ? "accept" : "reject"
      }
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 minute",
        samplingDuration: "1 minute",
        minimumThroughput: 100,
        failureThreshold: 0.5
      })
      const client = yield* ResilientHttpClient.make({
        endpoint: "http://upstream.test/",
        classifier,
        circuitBreaker: breaker,
        strategy: Strategy.sequential({ attempts: 3, delays: { delay: () => Effect.succeed(Duration.zero) } })
      }).pipe(Effect.provideService(HttpClient.HttpClient, fakeClient(503, calls)))
      const response = yield* client.execute(HttpRequest.get("x"))
      assert.strictEqual(response.status, 503)
      assert.strictEqual(yield* Ref.get(calls), 3)
      assert.strictEqual(classified, 3)
    }))
})
