/**
 * The resilient client against a local upstream this program starts itself:
 *
 *   - a flaky GET (503 twice, then 200): retried by the default strategy;
 *   - a slow-once GET: hedged, the fast second attempt wins, the slow one is aborted;
 *   - a POST answering 503: not retried (unsafe method), returned as a response;
 *   - a redirect chain, and the same with maxRedirects exceeded;
 *   - a deadline too short to send anything.
 *
 * Two upstream clients live side by side: one as an `Effect.Service`, one behind a `Context.Tag`.
 *
 *   npx tsx examples/src/client.ts
 */
import { CircuitBreaker, Deadline, Delays, Strategy } from "@aio-request/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import type { HttpClient } from "@effect/platform"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Context, Duration, Effect, Layer, Ref } from "effect"
import { createServer } from "node:http"

// --- the upstream ------------------------------------------------------------------

const upstream = Effect.gen(function*() {
  const flaky = yield* Ref.make(0)
  const slow = yield* Ref.make(0)
  return HttpRouter.empty.pipe(
    HttpRouter.get(
      "/users/:id",
      Effect.gen(function*() {
        const n = yield* Ref.updateAndGet(flaky, (n) => n + 1)
        const { id } = yield* HttpRouter.params
        return n <= 2
          ? HttpServerResponse.text("busy", { status: 503 })
          : HttpServerResponse.unsafeJson({ id, name: "Ada", attempt: n })
      })
    ),
    HttpRouter.get(
      "/search",
      Effect.gen(function*() {
        const n = yield* Ref.updateAndGet(slow, (n) => n + 1)
        if (n === 1) {
          yield* Effect.sleep("3 seconds").pipe(
            Effect.onInterrupt(() => Console.log("  upstream: slow attempt aborted"))
          )
        }
        const request = yield* HttpServerRequest.HttpServerRequest
        return HttpServerResponse.unsafeJson({ attempt: n, url: request.url })
      })
    ),
    HttpRouter.post("/orders", HttpServerResponse.text("overloaded", { status: 503 })),
    HttpRouter.get("/old", HttpServerResponse.redirect("/new", { status: 301 })),
    HttpRouter.get("/new", HttpServerResponse.text("moved here")),
    HttpRouter.get(
      "/loop/:n",
      Effect.map(HttpRouter.params, ({ n }) => HttpServerResponse.redirect(`/loop/${Number(n) + 1}`, { status: 302 }))
    )
  )
})

// --- two upstream clients ------------------------------------------------------------

/** The users service: default strategy (3 sequential attempts for GET). */
class Users extends Context.Tag("example/Users")<Users, HttpClient.HttpClient.With<ResilientHttpClient.Error>>() {
  static layer = (endpoint: string) =>
    Layer.effect(Users, ResilientHttpClient.make({ endpoint, serviceName: "example", maxRedirects: 3 }))
}

/** The search service: hedged, behind a circuit breaker. */
class Search extends Effect.Service<Search>()("example/Search", {
  effect: Effect.gen(function*() {
    const endpoint = yield* Endpoint
    const breaker = yield* CircuitBreaker.make({
      breakDuration: "5 seconds",
      samplingDuration: "10 seconds",
      minimumThroughput: 10,
      failureThreshold: 0.5
    })
    const client = yield* ResilientHttpClient.make({
      endpoint,
      strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("100 millis") }),
      circuitBreaker: breaker
    })
    return { client }
  })
}) {}

class Endpoint extends Context.Tag("example/Endpoint")<Endpoint, string>() {}

// --- the program -------------------------------------------------------------------

const program = Effect.gen(function*() {
  const users = yield* Users
  const { client: search } = yield* Search

  const user = yield* users.execute(HttpRequest.get("users/{id}", { path: { id: 42 } }))
  yield* Console.log("GET users/{id} (503, 503, 200):", user.status, yield* user.json)

  const [took, found] = yield* Effect.timed(
    search.execute(HttpRequest.get("search", { query: { q: "effect", tag: ["a", "b"] } }))
  )
  yield* Console.log(`GET search (hedged) in ${Duration.format(took)}:`, yield* found.json)

  const order = yield* users.execute(HttpRequest.postJson("orders", { item: "book" }))
  yield* Console.log("POST orders (503, not retried):", order.status, yield* order.text)

  const moved = yield* users.execute(HttpRequest.get("old"))
  yield* Console.log("GET old (301 -> new):", moved.status, yield* moved.text)

  const loop = yield* Effect.either(users.execute(HttpRequest.get("loop/{n}", { path: { n: 0 } })))
  if (loop._tag === "Left" && loop.left._tag === "TooManyRedirectsError") {
    yield* Console.log("GET loop: TooManyRedirectsError", loop.left.locations)
  }

  const tooShort = yield* Effect.either(users.execute(HttpRequest.get("users/{id}", { path: { id: 1 } }))).pipe(
    Deadline.within("2 millis")
  )
  if (tooShort._tag === "Left") yield* Console.log("GET with a 2 ms deadline:", tooShort.left._tag)
})

const main = Effect.gen(function*() {
  const server = yield* Layer.build(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
  yield* HttpServer.serveEffect(yield* upstream).pipe(Effect.provide(server))
  const address = Context.get(server, HttpServer.HttpServer).address
  const endpoint = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}/` : ""
  yield* Console.log(`upstream on ${endpoint}`)
  const clients = Layer.mergeAll(
    Users.layer(endpoint),
    Search.Default.pipe(Layer.provide(Layer.succeed(Endpoint, endpoint)))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  yield* Effect.provide(program, clients)
})

NodeRuntime.runMain(Effect.scoped(main))
