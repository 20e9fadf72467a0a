/* global console, fetch, process */
// A plain Node ESM program using the packed Effect 4 line as a user would (no TypeScript, no
// tsx), under Node 22. Run by .ci/consumer-check-effect4; prints each check and exits 1 if one
// fails.
import { CircuitBreaker, Deadline, Delays, Strategy } from "@aio-request/core"
import { Observability } from "@aio-request/opentelemetry"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Clock, Effect, Exit, Layer } from "effect"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"

const failures = []
const check = (name, ok, detail) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail === undefined ? "" : ` (${detail})`}`)
  if (!ok) failures.push(name)
}
const tagOf = (exit) => Exit.isSuccess(exit) ? exit.value._tag : "did not fail"

let userCalls = 0
let hedgeCalls = 0
let hedgeInterrupted = 0
const routes = Layer.mergeAll(
  HttpRouter.add(
    "GET",
    "/users/:id",
    Effect.sync(() => ++userCalls).pipe(Effect.as(HttpServerResponse.text("user")))
  ),
  // the first call is stuck for 3 s, the next answers at once: a hedge wins
  HttpRouter.add(
    "GET",
    "/hedge",
    Effect.gen(function*() {
      const n = ++hedgeCalls
      if (n === 1) {
        yield* Effect.sleep("3 seconds").pipe(Effect.onInterrupt(() => Effect.sync(() => hedgeInterrupted++)))
      }
      return HttpServerResponse.jsonUnsafe({ call: n })
    })
  )
)
const Server = HttpRouter.serve(
  Layer.mergeAll(routes, HttpRouter.middleware(ServerMiddleware.make(), { global: true })),
  { disableLogger: true, disableListenLog: true }
).pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))

const program = Effect.gen(function*() {
  // 1. core: Deadline.within cuts a sleep at its deadline (real time)
  let start = yield* Clock.currentTimeMillis
  const cut = yield* Effect.sleep("2 seconds").pipe(Deadline.within("100 millis"), Effect.flip, Effect.exit)
  let elapsed = (yield* Clock.currentTimeMillis) - start
  check(
    "Deadline.within cuts at its deadline",
    tagOf(cut) === "DeadlineExceededError",
    `${tagOf(cut)} after ${elapsed} ms`
  )
  check("the cut came at 100 ms, not at 2 s", elapsed >= 80 && elapsed < 1000, `${elapsed} ms`)

  // 2. core: Strategy.run with parallel hedging, the stuck first attempt loses to the hedge
  start = yield* Clock.currentTimeMillis
  const deadline = yield* Deadline.fromTimeout("2 seconds")
  const hedged = yield* Strategy.run(Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") }), {
    attempt: ({ attempt, kind }) => attempt === 0 ? Effect.as(Effect.sleep("3 seconds"), kind) : Effect.succeed(kind),
    classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
    deadline
  }).pipe(Effect.exit)
  elapsed = (yield* Clock.currentTimeMillis) - start
  const winner = Exit.isSuccess(hedged) ? hedged.value : String(hedged.cause)
  check("Strategy.run(parallel) answered by the hedge", winner === "hedge", winner)
  check("the hedge won after its 50 ms delay, well before 3 s", elapsed >= 40 && elapsed < 1000, `${elapsed} ms`)

  // 3. core: CircuitBreaker opens after failures and then fails fast
  const breaker = yield* CircuitBreaker.make({
    breakDuration: "10 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 3,
    failureThreshold: 0.5
  })
  for (let i = 0; i < 3; i++) {
    yield* Effect.exit(breaker.execute("upstream", Effect.fail("boom"), Exit.isFailure))
  }
  const state = yield* breaker.stateOf("upstream")
  let ran = false
  const refused = yield* breaker.execute("upstream", Effect.sync(() => ran = true), Exit.isFailure).pipe(
    Effect.flip,
    Effect.exit
  )
  check("CircuitBreaker opens after 3 failures", state === "open", state)
  check(
    "the open circuit refuses without running",
    tagOf(refused) === "CircuitBreakerOpenError" && !ran,
    tagOf(refused)
  )

  // 4. platform: a typed-template request through the Node client to a real server behind
  //    ServerMiddleware (HttpRouter global middleware) on 127.0.0.1, ephemeral port
  const address = (yield* HttpServer.HttpServer).address
  check("server behind ServerMiddleware listening", address._tag === "InetAddressV4", `port ${address.port}`)
  const request = HttpRequest.get("users/{id}", { path: { id: "7" } })
  check(
    "HttpRequest.get keeps the path template",
    HttpRequest.pathTemplate(request) === "users/{id}",
    HttpRequest.pathTemplate(request)
  )
  const client = yield* HttpClient.HttpClient
  const response = yield* client.execute(HttpClientRequest.prependUrl(request, `http://127.0.0.1:${address.port}/`))
  const text = yield* response.text
  check(
    "GET users/7 through the Node client",
    response.status === 200 && text === "user" && userCalls === 1,
    `${response.status} ${text}`
  )

  // 5. platform: ResilientHttpClient with a hedged strategy against the same server; the stuck
  //    first attempt loses to the hedge sent 100 ms later, and is interrupted
  const resilient = yield* ResilientHttpClient.make({
    endpoint: `http://127.0.0.1:${address.port}/`,
    serviceName: "consumer-check-effect4",
    strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("100 millis") }),
    circuitBreaker: yield* CircuitBreaker.make({
      breakDuration: "10 seconds",
      samplingDuration: "10 seconds",
      minimumThroughput: 3,
      failureThreshold: 0.5
    }),
    timeout: "2 seconds"
  })
  start = yield* Clock.currentTimeMillis
  const viaClient = yield* resilient.execute(HttpRequest.get("hedge")).pipe(Effect.flatMap((r) => r.json), Effect.exit)
  elapsed = (yield* Clock.currentTimeMillis) - start
  check(
    "ResilientHttpClient: hedged GET answered by the hedge",
    Exit.isSuccess(viaClient) && viaClient.value.call === 2,
    Exit.isSuccess(viaClient) ? JSON.stringify(viaClient.value) : String(viaClient.cause)
  )
  check("the hedged GET took well under the stuck attempt's 3 s", elapsed >= 90 && elapsed < 1500, `${elapsed} ms`)
  check("the upstream saw two attempts", hedgeCalls === 2, `${hedgeCalls} calls`)
  yield* Effect.sleep("100 millis")
  check("the losing attempt's handler was interrupted on the server", hedgeInterrupted === 1, `${hedgeInterrupted}`)

  // 6. opentelemetry: the Prometheus scrape (127.0.0.1, ephemeral port) shows the request the
  //    middleware recorded
  const { url } = yield* Observability.PrometheusEndpoint
  const scrape = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
  const line = scrape.split("\n").find((l) =>
    l.startsWith("aio_request_server_latency_count{") && l.includes("request_path=\"/users/:id\"")
  )
  check("Prometheus scrape shows the server request", line !== undefined && line.endsWith(" 1"), `${url}`)
  if (line !== undefined) console.log(`     ${line}`)
}).pipe(Effect.scoped)

const Main = Layer.mergeAll(
  Server,
  NodeHttpClient.layerUndici,
  Observability.layerPrometheus({ host: "127.0.0.1", port: 0 })
)

// the exports map: modules by subpath, internals closed
const subpath = await import("@aio-request/core/Deadline").then((m) => typeof m.within === "function", () => false)
check("subpath import @aio-request/core/Deadline", subpath)
const internal = await import("@aio-request/core/internal/deadline").then(() => "loaded", (e) => e.code)
check("@aio-request/core/internal/* is not exported", internal === "ERR_PACKAGE_PATH_NOT_EXPORTED", internal)
check("running on Node 22", process.versions.node.startsWith("22."), process.version)

const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(Main)))
if (Exit.isFailure(exit)) {
  console.log(`FAIL program failed: ${exit.cause}`)
  failures.push("program")
}
console.log(
  failures.length === 0
    ? "consumer app (Effect 4): all checks passed"
    : `consumer app (Effect 4): ${failures.length} check(s) failed: ${failures.join("; ")}`
)
process.exit(failures.length === 0 ? 0 : 1)
