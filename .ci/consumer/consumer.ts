// A strict TypeScript user of the packed packages: .ci/consumer-check typechecks it with
// tsconfig.json here (NodeNext, strict, exactOptionalPropertyTypes, skipLibCheck: false), so
// every .d.ts we ship is checked under a user's flags. The same API as app.mjs.
import { CircuitBreaker, Deadline, Delays, Strategy } from "@aio-request/core"
import * as Priority from "@aio-request/core/Priority"
import { Observability } from "@aio-request/opentelemetry"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import { createServer } from "node:http"

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/slow", Effect.sleep("5 seconds").pipe(Effect.as(HttpServerResponse.text("too late")))),
  HttpRouter.get("/report", ServerMiddleware.routeTimeout("2 seconds")(Effect.succeed(HttpServerResponse.text("ok"))))
)

const Server = HttpServer.serve(router, ServerMiddleware.make({ cancelOnTimeout: true, timeout: "1 second" })).pipe(
  Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
)

// a subpath import ("./*" in the exports map)
const priority: Priority.Priority = Option.getOrElse(Priority.parse(" HIGH "), () => "normal" as const)

const program = Effect.gen(function*() {
  const address = (yield* HttpServer.HttpServer).address
  const port: number = address._tag === "TcpAddress" ? address.port : 0
  const breaker: CircuitBreaker.CircuitBreaker.Service = yield* CircuitBreaker.make({
    breakDuration: "10 seconds",
    samplingDuration: "10 seconds",
    minimumThroughput: 3,
    failureThreshold: 0.5
  })
  const client = yield* ResilientHttpClient.make({
    endpoint: `http://127.0.0.1:${port}/`,
    strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("100 millis") }),
    circuitBreaker: breaker,
    priority
  })
  const outcome = yield* client.execute(HttpRequest.get("slow")).pipe(
    Effect.flatMap((response) => response.text),
    Deadline.within("300 millis"),
    Effect.map((text): string => text),
    Effect.catchTags({
      DeadlineExceededError: (error) => Effect.succeed(`cut: ${error._tag}`),
      CircuitBreakerOpenError: (error) => Effect.succeed(`open: ${error.scope}`)
    }),
    Effect.catchAll((error: ResilientHttpClient.Error) => Effect.succeed(`failed: ${error._tag}`))
  )
  const { url } = yield* Observability.PrometheusEndpoint
  const scrape: string = yield* HttpClient.get(url).pipe(Effect.flatMap((response) => response.text))
  yield* Effect.log(outcome, scrape.includes("aio_request_latency"))
}).pipe(Effect.scoped)

const Main = Layer.mergeAll(Server, NodeHttpClient.layerUndici, Observability.layerPrometheus({ port: 0 }))

program.pipe(Effect.provide(Main), NodeRuntime.runMain)
