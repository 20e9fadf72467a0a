/**
 * `ResilientHttpClient` on both lines, on every transport (undici, fetch) over loopback HTTP:
 * templates and query, plain `get`, JSON and UTF-8, redirects, connection attempts, hedging,
 * system headers, low-timeout threshold, an open circuit, final 503, X-Do-Not-Retry. Once
 * Effect 3 only (packages/platform/test/ResilientHttpClient.test.ts, which keeps the release of
 * losing responses: it fails on Effect 4).
 */
import { CircuitBreaker, Deadline, Delays, Priority, Strategy } from "@aio-request/line/core"
import { Headers, HttpMetrics, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  counter,
  describe,
  Duration,
  Effect,
  eventually,
  failureOf,
  histogram,
  HttpClient,
  HttpClientRequest,
  httpErrorOf,
  HttpServerRequest,
  HttpServerResponse,
  jsonResponse,
  Option,
  pathParam,
  post,
  route,
  routes,
  scopedLive,
  serve,
  Stream,
  tally,
  transports
} from "@aio-request/line/platform-testkit"
import * as Net from "node:net"

/** A raw TCP server on 127.0.0.1 handing every connection to `onConnection`, counting them. */
const tcpServer = (onConnection: (socket: Net.Socket) => void) => {
  let count = 0
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => {})
    count++
    onConnection(socket)
  })
  return Effect.map(
    Effect.acquireRelease(
      Effect.promise(() =>
        new Promise<number>((resolve) =>
          server.listen(0, "127.0.0.1", () => resolve((server.address() as Net.AddressInfo).port))
        )
      ),
      () =>
        Effect.promise(() =>
          new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => resolve())
          })
        )
    ),
    (port) => ({ url: `http://127.0.0.1:${port}`, connections: Effect.sync(() => count) })
  )
}

/** A port on 127.0.0.1 nobody listens on: connecting to it is refused. */
const refusedUrl = Effect.promise(() =>
  new Promise<string>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })
)

const echo = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  return jsonResponse({ url: request.url, method: request.method, headers: request.headers })
})

interface Echo {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string>
}

const noJitter = Delays.linear({ min: "20 millis", multiplier: "0 millis", jitter: 0 })

const clientCount = (labels: {
  readonly endpoint: string
  readonly method: string
  readonly path: string
  readonly status: number
  readonly circuitBreaker: boolean
}) =>
  Effect.map(
    histogram(HttpMetrics.clientLatency, {
      request_endpoint: labels.endpoint,
      request_method: labels.method,
      request_path: labels.path,
      response_status: String(labels.status),
      circuit_breaker: String(labels.circuitBreaker)
    }),
    (state) => state.count
  )

const attemptCount = (labels: { readonly endpoint: string; readonly method: string; readonly path: string }) =>
  counter(HttpMetrics.attempts, {
    request_endpoint: labels.endpoint,
    request_method: labels.method,
    request_path: labels.path
  })
for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}`, () => {
    scopedLive(
      "resolves templates against the endpoint, percent-encodes path parameters, repeats query keys",
      () =>
        Effect.gen(function*() {
          const url = yield* serve(route("/*", echo))
          const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api` })
          const response = yield* client.execute(
            HttpRequest.get("users/{id}/files/{name}", {
              path: { id: 42, name: "../etc/passwd é" },
              query: { tag: ["a", "b c"], page: 2, flag: true, none: undefined }
            })
          )
          const body = (yield* response.json) as unknown as Echo
          assert.strictEqual(response.status, 200)
          assert.strictEqual(body.url, "/api/users/42/files/..%2Fetc%2Fpasswd%20%C3%A9?tag=a&tag=b+c&page=2&flag=true")
          assert.isUndefined(body.headers[HttpRequest.TemplateHeader], "the template header is not sent")
          // the template, not the path, labels the metrics
          const labels = { endpoint: `${url}/api`, method: "GET", path: "users/{id}/files/{name}" }
          assert.strictEqual(yield* clientCount({ ...labels, status: 200, circuitBreaker: false }), 1)
          assert.strictEqual(yield* attemptCount(labels), 1)
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "a plain client.get works, and composes with mapRequest and filterStatusOk",
      () =>
        Effect.gen(function*() {
          const url = yield* serve(
            routes(
              route("/thing", echo),
              route("/missing", Effect.succeed(HttpServerResponse.text("nope", { status: 404 })))
            )
          )
          const client = (yield* ResilientHttpClient.make({ endpoint: url })).pipe(
            HttpClient.mapRequest(HttpClientRequest.setHeader("x-extra", "1")),
            HttpClient.filterStatusOk
          )
          const body = (yield* Effect.flatMap(client.get("thing?a=1"), (r) => r.json)) as unknown as Echo
          assert.strictEqual(body.url, "/thing?a=1")
          assert.strictEqual(body.headers["x-extra"], "1")
          assert.strictEqual(
            yield* clientCount({
              endpoint: `${url}/`,
              method: "GET",
              path: "thing",
              status: 200,
              circuitBreaker: false
            }),
            1
          )
          const error = httpErrorOf(failureOf(yield* Effect.exit(client.get("/missing"))))
          // Effect 3: a ResponseError; Effect 4: an HttpClientError whose reason carries the response
          assert.strictEqual(error?.side, "response")
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive("JSON round trip and UTF-8 text", () =>
      Effect.gen(function*() {
        const text = "héllo wörld ✓ 日本語 🚀"
        const url = yield* serve(
          routes(
            post(
              "/items",
              Effect.gen(function*() {
                const request = yield* HttpServerRequest.HttpServerRequest
                const body = yield* request.json
                return jsonResponse({ received: body, contentType: request.headers["content-type"] })
              })
            ),
            route("/text", Effect.succeed(HttpServerResponse.text(text)))
          )
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url })
        const sent = { name: "Zoë", tags: ["ä", "β"], n: 1.5, nested: { ok: true } }
        const response = yield* client.execute(HttpRequest.postJson("items", sent))
        assert.deepStrictEqual(yield* response.json, { received: sent, contentType: "application/json" })
        const textResponse = yield* client.execute(HttpRequest.get("text"))
        assert.strictEqual(yield* textResponse.text, text)
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("follows redirects by default, returns the 3xx when told not to", () =>
      Effect.gen(function*() {
        const url = yield* serve(
          routes(
            route("/a", Effect.succeed(HttpServerResponse.redirect("/b", { status: 302 }))),
            route("/b", Effect.succeed(HttpServerResponse.redirect(`/c?from=b`, { status: 301 }))),
            route("/c", echo)
          )
        )
        const following = yield* ResilientHttpClient.make({ endpoint: url })
        const response = yield* following.execute(HttpRequest.get("a"))
        assert.strictEqual(response.status, 200)
        assert.strictEqual(((yield* response.json) as unknown as Echo).url, "/c?from=b")

        const notFollowing = yield* ResilientHttpClient.make({ endpoint: url, followRedirects: false })
        const redirect = yield* notFollowing.execute(HttpRequest.get("a"))
        assert.strictEqual(redirect.status, 302)
        assert.strictEqual(redirect.headers["location"], "/b")
      }).pipe(Effect.provide(transport.layer)))

    scopedLive(
      "fails with TooManyRedirectsError carrying every Location past maxRedirects",
      () =>
        Effect.gen(function*() {
          const hits = tally()
          const url = yield* serve(
            route(
              "/loop/:n",
              Effect.gen(function*() {
                yield* hits.hit
                const n = yield* pathParam("n")
                return HttpServerResponse.redirect(`/loop/${Number(n) + 1}`, { status: 307 })
              })
            )
          )
          const client = yield* ResilientHttpClient.make({ endpoint: url, maxRedirects: 2 })
          const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("loop/{n}", { path: { n: 0 } }))))
          assert.strictEqual(error._tag, "TooManyRedirectsError")
          assert.deepStrictEqual((error as ResilientHttpClient.TooManyRedirectsError).locations, [
            `${url}/loop/1`,
            `${url}/loop/2`,
            `${url}/loop/3`
          ])
          // accepted by the default classifier: not retried
          assert.strictEqual(yield* hits.get, 3)
          assert.strictEqual(
            yield* clientCount({
              endpoint: `${url}/`,
              method: "GET",
              path: "loop/{n}",
              status: 488,
              circuitBreaker: false
            }),
            1
          )
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive("connection refused: connectionAttempts connects, then RequestError", () =>
      Effect.gen(function*() {
        const url = yield* refusedUrl
        const connects = tally()
        const counted = (yield* HttpClient.HttpClient).pipe(HttpClient.tapRequest(() => connects.hit))
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.single,
          connectionAttempts: 4
        }).pipe(Effect.provideService(HttpClient.HttpClient, counted))
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
        // Effect 3: a RequestError; Effect 4: an HttpClientError with a TransportError reason
        assert.strictEqual(httpErrorOf(error)?.side, "request")
        assert.strictEqual(httpErrorOf(error)?.reason, "Transport")
        assert.strictEqual(yield* connects.get, 4)
        assert.strictEqual(
          yield* clientCount({ endpoint: `${url}/`, method: "GET", path: "x", status: 489, circuitBreaker: false }),
          1
        )
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("a connection reset after connect is not retried inside the attempt", () =>
      Effect.gen(function*() {
        const server = yield* tcpServer((socket) => socket.once("data", () => socket.resetAndDestroy()))
        const client = yield* ResilientHttpClient.make({ endpoint: server.url, strategy: Strategy.single })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
        assert.strictEqual(httpErrorOf(error)?.side, "request")
        assert.strictEqual(yield* server.connections, 1)
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("hedging: the fast attempt wins and the server sees the slow one aborted", () =>
      Effect.gen(function*() {
        const calls = tally()
        const aborted = tally()
        const url = yield* serve(
          routes(
            route(
              "/slow-once",
              Effect.gen(function*() {
                yield* calls.hit
                if ((yield* calls.get) === 1) {
                  yield* Effect.sleep("5 seconds").pipe(Effect.onInterrupt(() => aborted.hit))
                  return HttpServerResponse.text("slow")
                }
                return HttpServerResponse.text("fast")
              })
            )
          )
        )
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
        })
        const response = yield* client.execute(HttpRequest.get("slow-once"))
        assert.strictEqual(yield* response.text, "fast")
        assert.strictEqual(yield* eventually(aborted.get, (n) => n === 1), 1)
        assert.strictEqual(yield* calls.get, 2)
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("sends the deadline, the normalised priority and the service name", () =>
      Effect.gen(function*() {
        const url = yield* serve(route("/*", echo))
        const client = yield* ResilientHttpClient.make({ endpoint: url, priority: "low", serviceName: "checkout" })
        const response = yield* client.execute(HttpRequest.get("x")).pipe(
          Priority.withPriority("high"),
          Deadline.within("2 seconds")
        )
        const { headers } = (yield* response.json) as unknown as Echo
        const timeout = Number(headers[Headers.RequestTimeout])
        assert.isTrue(timeout > 1.5 && timeout <= 2, `x-request-timeout ${headers[Headers.RequestTimeout]}`)
        assert.strictEqual(headers[Headers.RequestPriority], "normal")
        assert.strictEqual(headers[Headers.ServiceName], "checkout")

        const quiet = yield* ResilientHttpClient.make({ endpoint: url, emitSystemHeaders: false })
        const quietHeaders = ((yield* Effect.flatMap(quiet.execute(HttpRequest.get("x")), (r) =>
          r.json)) as unknown as Echo)
          .headers
        assert.isUndefined(quietHeaders[Headers.RequestTimeout])
        assert.isUndefined(quietHeaders[Headers.RequestPriority])
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("below the low-timeout threshold nothing is sent", () =>
      Effect.gen(function*() {
        const hits = tally()
        const url = yield* serve(
          route("/*", Effect.as(hits.hit, HttpServerResponse.empty()))
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url, lowTimeoutThreshold: "50 millis" })
        const deadline = yield* Deadline.fromTimeout("20 millis")
        const error = failureOf(
          yield* Effect.exit(
            client.execute(HttpRequest.get("x")).pipe(
              Effect.provideService(Deadline.CurrentDeadline, Option.some(deadline))
            )
          )
        )
        assert.strictEqual(error._tag, "DeadlineExceededError")
        assert.strictEqual((error as Deadline.DeadlineExceededError).reason, "below-threshold")
        assert.strictEqual(yield* hits.get, 0)
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("an open circuit sends nothing and fails with CircuitBreakerOpenError", () =>
      Effect.gen(function*() {
        const hits = tally()
        const url = yield* serve(
          route("/*", Effect.as(hits.hit, HttpServerResponse.empty()))
        )
        const scopes: Array<string> = []
        const open: CircuitBreaker.CircuitBreaker.Service = {
          execute: (scope) => {
            scopes.push(scope)
            return Effect.fail(new CircuitBreaker.CircuitBreakerOpenError({ scope, retryAfter: Duration.seconds(5) }))
          },
          state: Effect.succeed(new Map()),
          stateOf: () => Effect.succeed("open"),
          changes: Stream.empty
        }
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          circuitBreaker: open,
          strategy: Strategy.single
        })
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get("x"))))
        assert.strictEqual(error._tag, "CircuitBreakerOpenError")
        assert.strictEqual(yield* hits.get, 0)
        assert.deepStrictEqual(scopes, [`${url}/`])
        assert.strictEqual(
          yield* clientCount({ endpoint: `${url}/`, method: "GET", path: "x", status: 502, circuitBreaker: true }),
          1
        )
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("a final 503 is returned as a response after every attempt", () =>
      Effect.gen(function*() {
        const hits = tally()
        const url = yield* serve(
          route("/*", Effect.as(hits.hit, HttpServerResponse.text("busy", { status: 503 })))
        )
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
        })
        const response = yield* client.execute(HttpRequest.get("x"))
        assert.strictEqual(response.status, 503)
        assert.strictEqual(yield* response.text, "busy")
        assert.strictEqual(yield* hits.get, 3)
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("X-Do-Not-Retry is honoured, and POST is not retried by default", () =>
      Effect.gen(function*() {
        const gets = tally()
        const posts = tally()
        const url = yield* serve(
          routes(
            route(
              "/*",
              Effect.as(gets.hit, HttpServerResponse.empty({ status: 503, headers: { [Headers.DoNotRetry]: "1" } }))
            ),
            post("/*", Effect.as(posts.hit, HttpServerResponse.empty({ status: 503 })))
          )
        )
        const client = yield* ResilientHttpClient.make({ endpoint: url })
        assert.strictEqual((yield* client.execute(HttpRequest.get("x"))).status, 503)
        assert.strictEqual(yield* gets.get, 1)
        assert.strictEqual((yield* client.execute(HttpRequest.postJson("x", { a: 1 }))).status, 503)
        assert.strictEqual(yield* posts.get, 1)
      }).pipe(Effect.provide(transport.layer)))
  })
}
