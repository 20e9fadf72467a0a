/**
 * ServerMiddleware on both lines: options, deadline and priority from the headers, routeTimeout,
 * disconnects and metrics, and the deadline counted from the request's arrival, over a loopback
 * server (the kit's harness: the middleware around the app on Effect 3, global router
 * middleware on Effect 4).
 */
import { Deadline } from "@aio-request/line/core"
import { ServerMiddleware } from "@aio-request/line/platform"
import type { DurationInput, Seen } from "@aio-request/line/platform-testkit"
import {
  assert,
  awaitServerCount,
  Deferred,
  describe,
  Duration,
  Effect,
  Fiber,
  fork,
  get,
  HttpClient,
  HttpClientRequest,
  HttpServerResponse,
  IllegalArgument,
  it,
  Option,
  post as postRoute,
  Ref,
  route,
  routes,
  scopedLive,
  seen,
  serve,
  serverCount,
  undici,
  uniqueClient
} from "@aio-request/line/platform-testkit"
import { createServer } from "node:http"

const getSeen = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(
    get(url, headers),
    ({ status, text }) => ({ status, seen: status === 200 ? JSON.parse(text) as Seen : undefined })
  )

/** A handler that counts its runs and whether it finished or was interrupted. */
const tracked = (work: DurationInput) =>
  Effect.gen(function*() {
    const started = yield* Ref.make(0)
    const finished = yield* Ref.make(0)
    const interrupted = yield* Deferred.make<void>()
    const handler = Effect.gen(function*() {
      yield* Ref.update(started, (n) => n + 1)
      yield* Effect.sleep(work)
      yield* Ref.update(finished, (n) => n + 1)
      return yield* seen
    }).pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, void 0)))
    return { handler, started, finished, interrupted }
  })

describe("ServerMiddleware", () => {
  describe("options", () => {
    it("rejects invalid options at construction", () => {
      const invalid: ReadonlyArray<ServerMiddleware.Options> = [
        { timeout: -1 },
        { timeout: 0 },
        { timeout: Duration.infinity },
        { timeout: "soon" as DurationInput },
        { lowTimeoutThreshold: Number.NaN },
        { timeout: "10 millis", lowTimeoutThreshold: "20 millis" },
        { maxTimeout: 0 },
        { priority: "urgent" as "high" },
        { clientHeader: "bad header" },
        { cancelOnTimeout: "yes" as unknown as boolean }
      ]
      for (const options of invalid) {
        assert.throws(() => ServerMiddleware.make(options), /ServerMiddleware\.make: option/, JSON.stringify(options))
      }
      assert.throws(() => ServerMiddleware.routeTimeout(Effect.void, -5), /ServerMiddleware\.routeTimeout/)
    })
  })

  describe("deadline and priority", () => {
    scopedLive(
      "success within the deadline: the handler sees the header's deadline and priority",
      () =>
        Effect.gen(function*() {
          const { finished, handler } = yield* tracked("50 millis")
          const url = yield* serve(route("/work", handler))
          const { seen: body, status } = yield* getSeen(`${url}/work`, {
            "x-request-timeout": "1.5",
            "x-request-priority": "HIGH"
          })
          assert.strictEqual(status, 200)
          assert.isTrue(body!.remainingMillis! <= 1500 && body!.remainingMillis! > 1000, String(body!.remainingMillis))
          assert.strictEqual(body!.priority, "high")
          assert.strictEqual(yield* Ref.get(finished), 1)
        })
    )

    scopedLive("without headers the default timeout and priority apply", () =>
      Effect.gen(function*() {
        const url = yield* serve(route("/seen", seen), {
          timeout: "3 seconds",
          priority: "low"
        })
        const { seen: body, status } = yield* getSeen(`${url}/seen`)
        assert.strictEqual(status, 200)
        assert.isTrue(body!.remainingMillis! <= 3000 && body!.remainingMillis! > 2000, String(body!.remainingMillis))
        assert.strictEqual(body!.priority, "low")
      }))

    scopedLive(
      "malformed headers are ignored: default deadline and priority, never a 500",
      () =>
        Effect.gen(function*() {
          const url = yield* serve(route("/seen", seen), { timeout: "3 seconds" })
          for (const value of ["abc", "-1", "NaN", "1e309", "Infinity", "", "1,5", "0x10", "1 2", "9".repeat(4000)]) {
            const { seen: body, status } = yield* getSeen(`${url}/seen`, {
              "x-request-timeout": value,
              "x-request-priority": "urgent"
            })
            assert.strictEqual(status, 200, value)
            assert.isTrue(body!.remainingMillis! <= 3000 && body!.remainingMillis! > 2000, value)
            assert.strictEqual(body!.priority, "normal")
          }
        })
    )

    scopedLive("a header deadline is capped by maxTimeout", () =>
      Effect.gen(function*() {
        const url = yield* serve(route("/seen", seen), { maxTimeout: "2 seconds" })
        const { seen: body } = yield* getSeen(`${url}/seen`, { "x-request-timeout": "86400" })
        assert.isTrue(body!.remainingMillis! <= 2000 && body!.remainingMillis! > 1000, String(body!.remainingMillis))
      }))

    scopedLive(
      "not enough time: a 1 s handler under a 0.5 s deadline with cancelOnTimeout is cut and answered 408",
      () =>
        Effect.gen(function*() {
          const client = uniqueClient("cut")
          const { finished, handler, interrupted } = yield* tracked("1 second")
          const url = yield* serve(route("/slow/:id", handler), {
            cancelOnTimeout: true
          })
          const { status } = yield* get(`${url}/slow/1`, { "x-request-timeout": "0.5", "x-service-name": client })
          assert.strictEqual(status, 408)
          yield* Deferred.await(interrupted)
          assert.strictEqual(yield* Ref.get(finished), 0)
          yield* awaitServerCount({ client, method: "GET", path: "/slow/:id", status: 408 }, 1)
        })
    )

    scopedLive(
      "cancelOnTimeout: a handler failing because the same deadline ran out is answered 408, not 500",
      () =>
        Effect.gen(function*() {
          const client = uniqueClient("same-deadline")
          const handler = Effect.sleep("5 seconds").pipe(
            Deadline.within("10 seconds"),
            Effect.as(HttpServerResponse.empty())
          )
          const url = yield* serve(route("/inner", handler), { cancelOnTimeout: true })
          for (let i = 0; i < 3; i++) {
            const { status } = yield* get(`${url}/inner`, { "x-request-timeout": "0.2", "x-service-name": client })
            assert.strictEqual(status, 408)
          }
          yield* awaitServerCount({ client, method: "GET", path: "/inner", status: 408 }, 3)
        })
    )

    scopedLive(
      "an uninterruptible route is not interrupted at the deadline, and its late answer is 408",
      () =>
        Effect.gen(function*() {
          const { finished, handler, interrupted } = yield* tracked("400 millis")
          const url = yield* serve(route("/atomic", handler, { uninterruptible: true }), {
            cancelOnTimeout: true
          })
          const { status } = yield* get(`${url}/atomic`, { "x-request-timeout": "0.1" })
          assert.strictEqual(status, 408)
          assert.strictEqual(yield* Ref.get(finished), 1)
          assert.isFalse(yield* Deferred.isDone(interrupted))
        })
    )

    scopedLive(
      "without cancelOnTimeout the handler keeps running past the deadline, with it in context",
      () =>
        Effect.gen(function*() {
          const { finished, handler } = yield* tracked("300 millis")
          const url = yield* serve(route("/slow", handler))
          const { seen: body, status } = yield* getSeen(`${url}/slow`, { "x-request-timeout": "0.1" })
          assert.strictEqual(status, 200)
          assert.strictEqual(body!.remainingMillis, 0)
          assert.strictEqual(yield* Ref.get(finished), 1)
        })
    )

    scopedLive("deadline 0: 408 without running the handler", () =>
      Effect.gen(function*() {
        const client = uniqueClient("zero")
        const { handler, started } = yield* tracked("10 millis")
        const url = yield* serve(route("/work", handler))
        for (const value of ["0", "0.0", "0e5"]) {
          const { status } = yield* get(`${url}/work`, { "x-request-timeout": value, "x-service-name": client })
          assert.strictEqual(status, 408, value)
        }
        assert.strictEqual(yield* Ref.get(started), 0)
        yield* awaitServerCount({ client, method: "GET", path: ServerMiddleware.unknownRoute, status: 408 }, 3)
      }))

    scopedLive("a deadline below lowTimeoutThreshold: 408 without running the handler", () =>
      Effect.gen(function*() {
        const { handler, started } = yield* tracked("10 millis")
        const url = yield* serve(route("/work", handler), {
          lowTimeoutThreshold: "100 millis"
        })
        assert.strictEqual((yield* get(`${url}/work`, { "x-request-timeout": "0.05" })).status, 408)
        assert.strictEqual(yield* Ref.get(started), 0)
        assert.strictEqual((yield* get(`${url}/work`, { "x-request-timeout": "0.5" })).status, 200)
        assert.strictEqual(yield* Ref.get(started), 1)
      }))
  })

  describe("routeTimeout", () => {
    scopedLive("a route timeout of 0.2 s cuts a 1 s handler when no header is sent", () =>
      Effect.gen(function*() {
        const client = uniqueClient("route")
        const { finished, handler, interrupted } = yield* tracked("1 second")
        const url = yield* serve(
          route("/report/:id", ServerMiddleware.routeTimeout(handler, "200 millis")),
          { cancelOnTimeout: true }
        )
        const { status } = yield* get(`${url}/report/7`, { "x-service-name": client })
        assert.strictEqual(status, 408)
        yield* Deferred.await(interrupted)
        assert.strictEqual(yield* Ref.get(finished), 0)
        yield* awaitServerCount({ client, method: "GET", path: "/report/:id", status: 408 }, 1)
      }))

    scopedLive("a header deadline takes precedence over the route timeout", () =>
      Effect.gen(function*() {
        const { finished, handler } = yield* tracked("500 millis")
        const url = yield* serve(
          route("/report", handler.pipe(ServerMiddleware.routeTimeout("200 millis"))),
          { cancelOnTimeout: true }
        )
        const { seen: body, status } = yield* getSeen(`${url}/report`, { "x-request-timeout": "1" })
        assert.strictEqual(status, 200)
        assert.isTrue(body!.remainingMillis! > 200, String(body!.remainingMillis))
        assert.strictEqual(yield* Ref.get(finished), 1)
      }))

    scopedLive("a route timeout replaces the default, longer or shorter", () =>
      Effect.gen(function*() {
        const url = yield* serve(
          routes(
            route("/short", ServerMiddleware.routeTimeout(seen, "300 millis")),
            route("/long", ServerMiddleware.routeTimeout(seen, "10 seconds"))
          ),
          { timeout: "1 second" }
        )
        const short = (yield* getSeen(`${url}/short`)).seen!.remainingMillis!
        const long = (yield* getSeen(`${url}/long`)).seen!.remainingMillis!
        assert.isTrue(short <= 300 && short > 0, String(short))
        assert.isTrue(long <= 10_000 && long > 9000, String(long))
      }))

    scopedLive("a route timeout longer than the default is not cut at the default", () =>
      Effect.gen(function*() {
        const { finished, handler } = yield* tracked("400 millis")
        const url = yield* serve(
          route("/long", ServerMiddleware.routeTimeout(handler, "5 seconds")),
          { timeout: "100 millis", cancelOnTimeout: true }
        )
        assert.strictEqual((yield* get(`${url}/long`)).status, 200)
        assert.strictEqual(yield* Ref.get(finished), 1)
      }))

    scopedLive("a route timeout of 0 answers 408 without running the handler", () =>
      Effect.gen(function*() {
        const { handler, started } = yield* tracked("10 millis")
        const url = yield* serve(
          route("/never", ServerMiddleware.routeTimeout(handler, 0))
        )
        assert.strictEqual((yield* get(`${url}/never`)).status, 408)
        assert.strictEqual(yield* Ref.get(started), 0)
      }))

    it.effect("outside the middleware it only sets CurrentDeadline, never later than an inherited one", () =>
      Effect.gen(function*() {
        const remaining = Effect.flatMap(
          Deadline.CurrentDeadline,
          (deadline) => Effect.map(Deadline.remaining(Option.getOrThrow(deadline)), Duration.toMillis)
        )
        assert.strictEqual(yield* ServerMiddleware.routeTimeout(remaining, "2 seconds"), 2000)
        assert.strictEqual(
          yield* ServerMiddleware.routeTimeout(remaining, "2 seconds").pipe(
            Effect.provideServiceEffect(
              Deadline.CurrentDeadline,
              Effect.map(Deadline.fromTimeout("1 second"), Option.some)
            )
          ),
          1000
        )
      }))
  })

  describe("disconnects and metrics", () => {
    scopedLive("a client that disconnects interrupts the handler and is recorded as 499", () =>
      Effect.gen(function*() {
        const client = uniqueClient("gone")
        const { finished, handler, interrupted } = yield* tracked("5 seconds")
        const url = yield* serve(route("/items/:id", handler))
        const started = yield* fork(get(`${url}/items/42`, { "x-service-name": client }))
        yield* Effect.sleep("200 millis")
        yield* Fiber.interrupt(started)
        yield* Deferred.await(interrupted)
        assert.strictEqual(yield* Ref.get(finished), 0)
        yield* awaitServerCount({ client, method: "GET", path: "/items/:id", status: 499 }, 1)
      }))

    scopedLive("a disconnect interrupts the handler with cancelOnTimeout too", () =>
      Effect.gen(function*() {
        const client = uniqueClient("gone-cut")
        const { handler, interrupted } = yield* tracked("5 seconds")
        const url = yield* serve(route("/items/:id", handler), {
          cancelOnTimeout: true
        })
        const started = yield* fork(get(`${url}/items/42`, { "x-service-name": client }))
        yield* Effect.sleep("200 millis")
        yield* Fiber.interrupt(started)
        yield* Deferred.await(interrupted)
        yield* awaitServerCount({ client, method: "GET", path: "/items/:id", status: 499 }, 1)
      }))

    scopedLive(
      "latency is labelled with the route template and the caller, never the raw path",
      () =>
        Effect.gen(function*() {
          const client = uniqueClient("svc")
          const url = yield* serve(
            routes(
              route("/users/:id", seen),
              postRoute("/users/:id/fail", Effect.fail(new IllegalArgument("boom")))
            )
          )
          for (const id of ["1", "2", "abc"]) {
            assert.strictEqual((yield* get(`${url}/users/${id}`, { "x-service-name": client })).status, 200)
          }
          assert.strictEqual((yield* get(`${url}/nowhere/1`, { "x-service-name": client })).status, 404)
          assert.strictEqual(yield* serverCount({ client, method: "GET", path: "/users/:id", status: 200 }), 3)
          assert.strictEqual(
            yield* serverCount({ client, method: "GET", path: ServerMiddleware.unmatchedRoute, status: 404 }),
            1
          )
          assert.strictEqual(yield* serverCount({ client, method: "GET", path: "/users/1", status: 200 }), 0)
          assert.strictEqual(yield* serverCount({ client, method: "GET", path: "/nowhere/1", status: 404 }), 0)
          const post = yield* HttpClient.HttpClient.pipe(
            Effect.flatMap((http) =>
              http.execute(
                HttpClientRequest.post(`${url}/users/9/fail`).pipe(
                  HttpClientRequest.setHeader("x-service-name", client)
                )
              )
            ),
            Effect.scoped,
            Effect.provide(undici)
          )
          assert.strictEqual(post.status, 500)
          assert.strictEqual(yield* serverCount({ client, method: "POST", path: "/users/:id/fail", status: 500 }), 1)
        })
    )

    scopedLive("a missing or odd X-Service-Name is recorded as unknown", () =>
      Effect.gen(function*() {
        const url = yield* serve(route("/odd-client", seen))
        const before = yield* serverCount({ client: "unknown", method: "GET", path: "/odd-client", status: 200 })
        yield* get(`${url}/odd-client`)
        yield* get(`${url}/odd-client`, { "x-service-name": "has spaces in it" })
        yield* get(`${url}/odd-client`, { "x-service-name": "x".repeat(500) })
        assert.strictEqual(
          (yield* serverCount({ client: "unknown", method: "GET", path: "/odd-client", status: 200 })) - before,
          3
        )
      }))
  })
})

describe("ServerMiddleware: the deadline counts from the request's arrival", () => {
  /** A server whose event loop is blocked for `blockMillis` after Node emits each request, before its handler runs. */
  const blockedServer = (blockMillis: number, options?: ServerMiddleware.Options) =>
    Effect.gen(function*() {
      const server = createServer()
      const url = `${yield* serve(route("/seen", seen), options, server)}/seen`
      // the first request shows the middleware its server: from then on a
      // listener in front of the server's stamps each request as Node emits it
      assert.strictEqual((yield* getSeen(url)).status, 200)
      const [stamp, handler, ...others] = server.listeners("request") as Array<(...args: Array<any>) => void>
      assert.isDefined(handler)
      assert.strictEqual(others.length, 0)
      // between the arrival and the server's handler, the event loop is busy elsewhere
      const block = () => {
        const until = process.hrtime.bigint() + BigInt(blockMillis) * 1_000_000n
        while (process.hrtime.bigint() < until) {
          // busy
        }
      }
      server.removeAllListeners("request")
      server.on("request", stamp!)
      server.on("request", block)
      server.on("request", handler!)
      return url
    })

  scopedLive("a request queued behind a blocked event loop gets less time", () =>
    Effect.gen(function*() {
      const url = yield* blockedServer(300)
      const waited = yield* getSeen(url, { "x-request-timeout": "2" })
      assert.strictEqual(waited.status, 200)
      // 2 s from arrival, 300 ms of which went to the blocked loop
      assert.isAtMost(waited.seen!.remainingMillis!, 1700 + 1)
      assert.isAbove(waited.seen!.remainingMillis!, 1000)
      // without cancelOnTimeout the handler still runs, its deadline already passed
      const late = yield* getSeen(url, { "x-request-timeout": "0.2" })
      assert.strictEqual(late.status, 200)
      assert.strictEqual(late.seen!.remainingMillis, 0)
    }))

  scopedLive(
    "with cancelOnTimeout, a request whose deadline passed while it waited is answered 408",
    () =>
      Effect.gen(function*() {
        const client = uniqueClient("queued")
        const url = yield* blockedServer(300, { cancelOnTimeout: true })
        // 0.2 s from arrival had passed before the handler could run
        const late = yield* getSeen(url, { "x-request-timeout": "0.2", "x-service-name": client })
        assert.strictEqual(late.status, 408)
        // never reached the router: no route known
        yield* awaitServerCount({ client, method: "GET", path: ServerMiddleware.unknownRoute, status: 408 }, 1)
        const inTime = yield* getSeen(url, { "x-request-timeout": "1" })
        assert.strictEqual(inTime.status, 200)
        assert.isAtMost(inTime.seen!.remainingMillis!, 700 + 1)
      })
  )

  scopedLive("the default timeout counts from the arrival too", () =>
    Effect.gen(function*() {
      const url = yield* blockedServer(300, { timeout: "1 second" })
      const waited = yield* getSeen(url)
      assert.strictEqual(waited.status, 200)
      assert.isAtMost(waited.seen!.remainingMillis!, 700 + 1)
    }))
})
