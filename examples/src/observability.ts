/**
 * Metrics end to end: a server behind `ServerMiddleware`, a resilient client
 * calling it (a flaky route that needs a retry, a slow one that gets hedged),
 * and a Prometheus endpoint; prints a few lines of its own scrape and exits.
 *
 *   npx tsx examples/src/observability.ts
 *
 * Set OTLP_URL (e.g. http://127.0.0.1:4318) to push the metrics and the
 * request → attempt spans to an OpenTelemetry collector as well.
 */
import { Delays, Strategy } from "@aio-request/core"
import { Observability } from "@aio-request/opentelemetry"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Console, Effect, Layer, Option, Ref } from "effect"
import { createServer } from "node:http"

// --- the upstream service ----------------------------------------------------

const Upstream = Layer.unwrapEffect(Effect.gen(function*() {
  const calls = yield* Ref.make(0)
  const router = HttpRouter.empty.pipe(
    HttpRouter.get(
      "/users/:id",
      Effect.map(HttpRouter.params, (params) => HttpServerResponse.unsafeJson({ id: params.id, name: "Ada" }))
    ),
    // every other call fails: the client retries
    HttpRouter.get(
      "/flaky",
      Effect.map(
        Ref.getAndUpdate(calls, (n) => n + 1),
        (n) => n % 2 === 0 ? HttpServerResponse.empty({ status: 503 }) : HttpServerResponse.text("ok")
      )
    ),
    // slow now and then: the client hedges
    HttpRouter.get(
      "/search",
      Effect.flatMap(
        Ref.getAndUpdate(calls, (n) => n + 1),
        (n) => Effect.as(Effect.sleep(n % 3 === 0 ? "300 millis" : "5 millis"), HttpServerResponse.text("found"))
      )
    )
  )
  return HttpServer.serve(router, ServerMiddleware.make())
})).pipe(Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))

// --- telemetry -----------------------------------------------------------------

const Telemetry = Layer.unwrapEffect(Effect.gen(function*() {
  const prometheus = Observability.layerPrometheus({ port: 0, serviceName: "observability-example" })
  const otlpUrl = yield* Config.option(Config.string("OTLP_URL"))
  return Option.match(otlpUrl, {
    onNone: () => prometheus,
    onSome: (url) => Layer.merge(prometheus, Observability.layerOtlp({ url, serviceName: "observability-example" }))
  })
}))

// --- the program ---------------------------------------------------------------

const program = Effect.gen(function*() {
  const address = (yield* HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP server")
  const client = yield* ResilientHttpClient.make({
    endpoint: `http://127.0.0.1:${address.port}`,
    serviceName: "example-caller",
    strategy: Strategy.sequential({ attempts: 3, delays: Delays.constant("10 millis") })
  })

  for (let id = 1; id <= 5; id++) {
    yield* client.execute(HttpRequest.get("/users/{id}", { path: { id } }))
  }
  for (let i = 0; i < 4; i++) {
    yield* client.execute(HttpRequest.get("/flaky"))
  }
  const hedged = Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
  for (let i = 0; i < 6; i++) {
    yield* client.execute(HttpRequest.get("/search")).pipe(Strategy.withStrategy(hedged))
  }

  const { url } = yield* Observability.PrometheusEndpoint
  const text = yield* HttpClient.get(url).pipe(Effect.flatMap((response) => response.text))
  const interesting = text.split("\n").filter((line) =>
    /^aio_request_(latency_count|server_latency_count|attempts_total|retries_total|hedges_total)\{/.test(line) ||
    (line.startsWith("aio_request_latency_bucket{") && line.includes("/users/{id}") && /le="0\.0(05|1|25)"/.test(line))
  )
  yield* Console.log(`GET ${url}\n`)
  yield* Console.log(interesting.join("\n"))
}).pipe(Effect.scoped)

program.pipe(
  Effect.provide(Layer.merge(Upstream, NodeHttpClient.layerUndici)),
  Effect.provide(Telemetry),
  NodeRuntime.runMain
)
