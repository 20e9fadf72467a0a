// A strict TypeScript user of the packed Effect 4 line: .ci/consumer-check-effect4 typechecks it
// with tsconfig.json here (NodeNext, strict, exactOptionalPropertyTypes, skipLibCheck: false),
// so every .d.ts we ship is checked under a user's flags against today's effect. The same API
// as app.mjs.
import { CircuitBreaker, Deadline, Delays, Strategy } from "@aio-request/core"
import * as Priority from "@aio-request/core/Priority"
import { Observability } from "@aio-request/opentelemetry"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Exit, Layer, Option } from "effect"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"

// the exports map closes the internal modules
// @ts-expect-error "./internal/*" is null in the exports map
import type * as Internal from "@aio-request/core/internal/deadline"
export type Closed = typeof Internal

const routes = HttpRouter.add(
  "GET",
  "/users/:id",
  Effect.succeed(HttpServerResponse.text("user")).pipe(ServerMiddleware.routeTimeout("2 seconds"))
)
const Server = HttpRouter.serve(
  Layer.mergeAll(routes, HttpRouter.middleware(ServerMiddleware.make({ cancelOnTimeout: true }), { global: true }))
).pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))

// a subpath import ("./*" in the exports map)
const priority: Priority.Priority = Option.getOrElse(Priority.parse(" HIGH "), () => "normal" as const)

// the typed template: {id} requires path.id, an unknown name is an error
const request = HttpRequest.get("users/{id}", { path: { id: "7" }, query: { page: 2 } })
// @ts-expect-error path.id is missing
HttpRequest.get("users/{id}", { path: {} })
// @ts-expect-error "name" is no placeholder of the template
HttpRequest.get("users/{id}", { path: { id: "7", name: "x" } })

const program = Effect.gen(function*() {
  const address = (yield* HttpServer.HttpServer).address
  const port: number = address._tag === "InetAddressV4" ? address.port : 0
  const breaker: CircuitBreaker.CircuitBreaker.Service = yield* CircuitBreaker.make({
    breakDuration: "10 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 3,
    failureThreshold: 0.5
  })
  const client = yield* HttpClient.HttpClient
  const deadline: Deadline.Deadline = yield* Deadline.fromTimeout("2 seconds")
  const text: string = yield* Strategy.run(Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") }), {
    attempt: () =>
      breaker.execute(
        "users",
        client.execute(HttpClientRequest.prependUrl(request, `http://127.0.0.1:${port}/`)).pipe(
          Effect.flatMap((response) => response.text)
        ),
        Exit.isFailure
      ),
    classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
    deadline
  }).pipe(
    Deadline.within("1 second"),
    Effect.catchTags({
      DeadlineExceededError: (error) => Effect.succeed(`cut: ${error._tag}`),
      CircuitBreakerOpenError: (error) => Effect.succeed(`open: ${error.scope}`)
    }),
    Effect.catch((error) => Effect.succeed(`failed: ${error._tag}`))
  )
  // the resilient client, hedged, behind the same breaker
  const resilient: HttpClient.HttpClient.With<ResilientHttpClient.Error> = yield* ResilientHttpClient.make({
    endpoint: `http://127.0.0.1:${port}/`,
    strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("100 millis") }),
    circuitBreaker: breaker,
    priority
  })
  const outcome: string = yield* resilient.execute(request).pipe(
    Effect.flatMap((response) => response.text),
    Deadline.within("300 millis"),
    Effect.catchTags({
      DeadlineExceededError: (error) => Effect.succeed(`cut: ${error._tag}`),
      CircuitBreakerOpenError: (error) => Effect.succeed(`open: ${error.scope}`)
    }),
    Effect.catch((error: ResilientHttpClient.Error) => Effect.succeed(`failed: ${error._tag}`))
  )
  const { url } = yield* Observability.PrometheusEndpoint
  yield* Effect.log(priority, text, outcome, url)
}).pipe(Effect.scoped)

const Main = Layer.mergeAll(
  Server,
  NodeHttpClient.layerUndici,
  Observability.layerPrometheus({ host: "127.0.0.1", port: 0 })
)

Effect.runFork(program.pipe(Effect.provide(Main)))
