/* global console, process */
// A plain Node ESM program using the packed packages as a user would (no TypeScript, no tsx).
// Run by .ci/consumer-check; prints each check and exits 1 if one fails.
import { CircuitBreaker, Deadline, Delays, Strategy } from "@aio-request/core"
import { Observability } from "@aio-request/opentelemetry"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Clock, Effect, Exit, Layer, Ref } from "effect"
import { createServer } from "node:http"

const failures = []
const check = (name, ok, detail) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail === undefined ? "" : ` (${detail})`}`)
  if (!ok) failures.push(name)
}

const hedgeCalls = Ref.unsafeMake(0)
const failCalls = Ref.unsafeMake(0)
const slowInterrupted = Ref.unsafeMake(0)

const router = HttpRouter.empty.pipe(
  // the first call is stuck for 3 s, the next answers at once: a hedge wins
  HttpRouter.get(
    "/hedge",
    Effect.gen(function*() {
      const n = yield* Ref.updateAndGet(hedgeCalls, (k) => k + 1)
      if (n === 1) yield* Effect.sleep("3 seconds")
      return HttpServerResponse.unsafeJson({ call: n })
    })
  ),
  // slower than any deadline below: cut by the client's and by the server's deadline
  HttpRouter.get(
    "/slow",
    Effect.sleep("5 seconds").pipe(
      Effect.onInterrupt(() => Ref.update(slowInterrupted, (k) => k + 1)),
      Effect.as(HttpServerResponse.text("too late"))
    )
  ),
  HttpRouter.get(
    "/fail",
    Ref.update(failCalls, (k) => k + 1).pipe(
      Effect.as(HttpServerResponse.text("unavailable", { status: 503 }))
    )
  )
)

const Server = HttpServer.serve(router, ServerMiddleware.make({ cancelOnTimeout: true })).pipe(
  Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
)

const program = Effect.gen(function*() {
  const address = (yield* HttpServer.HttpServer).address
  const endpoint = `http://127.0.0.1:${address.port}/`
  check("server behind ServerMiddleware listening", address._tag === "TcpAddress", endpoint)

  const breaker = yield* CircuitBreaker.make({
    breakDuration: "10 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 3,
    failureThreshold: 0.5
  })
  const client = yield* ResilientHttpClient.make({
    endpoint,
    serviceName: "consumer-check",
    strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("100 millis") }),
    circuitBreaker: breaker,
    timeout: "2 seconds"
  })

  // 1. hedging: the stuck first attempt loses to the hedge sent 100 ms later
  let start = yield* Clock.currentTimeMillis
  const hedged = yield* client.execute(HttpRequest.get("hedge")).pipe(Effect.flatMap((r) => r.json), Effect.exit)
  let elapsed = (yield* Clock.currentTimeMillis) - start
  check(
    "hedged GET answered by the hedge",
    Exit.isSuccess(hedged) && hedged.value.call === 2,
    Exit.isSuccess(hedged) ? JSON.stringify(hedged.value) : String(hedged.cause)
  )
  check("hedged GET took well under the stuck attempt's 3 s", elapsed < 1500, `${elapsed} ms`)
  check("upstream saw two attempts", (yield* Ref.get(hedgeCalls)) === 2, `${yield* Ref.get(hedgeCalls)} calls`)

  // 2. deadline cut on the client: the call fails with DeadlineExceededError at its deadline
  start = yield* Clock.currentTimeMillis
  const cut = yield* client.execute(HttpRequest.get("slow")).pipe(
    Strategy.withStrategy(Strategy.single),
    Deadline.within("300 millis"),
    Effect.flip,
    Effect.exit
  )
  elapsed = (yield* Clock.currentTimeMillis) - start
  const cutTag = Exit.isSuccess(cut) ? cut.value._tag : "succeeded"
  check("slow route cut by the client deadline", cutTag === "DeadlineExceededError", cutTag)
  check(
    "the cut came at the 300 ms deadline, not after the 5 s route",
    elapsed >= 250 && elapsed < 1500,
    `${elapsed} ms`
  )

  // 3. deadline cut on the server: X-Request-Timeout 0.3 s, cancelOnTimeout answers 408 and
  //    interrupts the handler
  const plain = yield* HttpClient.HttpClient
  start = yield* Clock.currentTimeMillis
  const answer = yield* plain.execute(
    HttpClientRequest.get(`${endpoint}slow`).pipe(HttpClientRequest.setHeader("X-Request-Timeout", "0.3"))
  )
  elapsed = (yield* Clock.currentTimeMillis) - start
  check(
    "server answered the slow route 408 at the header's deadline",
    answer.status === 408 && elapsed < 1500,
    `${answer.status} after ${elapsed} ms`
  )
  yield* Effect.sleep("100 millis")
  check(
    "server interrupted the slow handlers",
    (yield* Ref.get(slowInterrupted)) >= 1,
    `${yield* Ref.get(slowInterrupted)} interrupted`
  )

  // 4. circuit breaker: 503s open the circuit, then calls fail fast without reaching the upstream
  const tags = []
  for (let i = 0; i < 6; i++) {
    const exit = yield* client.execute(HttpRequest.get("fail")).pipe(
      Strategy.withStrategy(Strategy.single),
      Effect.exit
    )
    tags.push(
      Exit.isSuccess(exit)
        ? String(exit.value.status)
        : (exit.cause._tag === "Fail" ? exit.cause.error._tag : exit.cause._tag)
    )
  }
  const upstreamFails = yield* Ref.get(failCalls)
  check("circuit opened after the 503s", tags.at(-1) === "CircuitBreakerOpenError", tags.join(","))
  check("open circuit kept calls away from the upstream", upstreamFails < 6, `${upstreamFails} of 6 calls reached it`)
  const state = yield* breaker.state
  check("breaker reports the endpoint open", [...state.values()].includes("open"), JSON.stringify([...state]))

  // 5. Prometheus scrape (port 0: the port the system chose)
  const { url } = yield* Observability.PrometheusEndpoint
  const scrape = yield* plain.get(url).pipe(Effect.flatMap((r) => r.text))
  const latency = scrape.split("\n").filter((line) => line.startsWith("aio_request_latency_count{"))
  check("Prometheus scrape shows aio_request_latency", latency.length > 0, `${url}: ${latency.length} series`)
  check("Prometheus scrape shows aio_request_server_latency", scrape.includes("aio_request_server_latency_count{"))
  for (const line of latency.slice(0, 3)) console.log(`     ${line}`)
}).pipe(Effect.scoped)

const Main = Layer.mergeAll(
  Server,
  NodeHttpClient.layerUndici,
  Observability.layerPrometheus({ port: 0 })
)

// 6. the exports map: modules by subpath, internals closed
const subpath = await import("@aio-request/core/Deadline").then((m) => typeof m.within === "function", () => false)
check("subpath import @aio-request/core/Deadline", subpath)
const internal = await import("@aio-request/core/internal/deadline").then(() => "loaded", (e) => e.code)
check("@aio-request/core/internal/* is not exported", internal === "ERR_PACKAGE_PATH_NOT_EXPORTED", internal)

const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(Main)))
if (Exit.isFailure(exit)) {
  console.log(`FAIL program failed: ${exit.cause}`)
  failures.push("program")
}
console.log(
  failures.length === 0
    ? "consumer app: all checks passed"
    : `consumer app: ${failures.length} check(s) failed: ${failures.join("; ")}`
)
process.exit(failures.length === 0 ? 0 : 1)
