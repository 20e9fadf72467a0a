/**
 * ServerMiddleware in both kinds of app, and deadline propagation between them:
 *
 *   inventory (HttpApi, HttpApiBuilder.serve(ServerMiddleware.make(...)))
 *     ^  resilient client: X-Request-Timeout / X-Request-Priority sent from the inherited deadline
 *   orders (HttpRouter, HttpServer.serve(router, ServerMiddleware.make(...)))
 *     ^  plain HTTP calls from this program, with and without system headers
 *
 * Prints what each call got back and exits.
 *
 *   npx tsx examples/src/server.ts
 */
import { Deadline, Priority } from "@aio-request/core"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpClient,
  HttpClientRequest,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { createServer } from "node:http"

/** What a handler sees: the time left before its deadline and its priority. */
const context = Effect.gen(function*() {
  const deadline = yield* Deadline.CurrentDeadline
  const priority = yield* Priority.CurrentPriority
  return {
    remainingMillis: Option.isSome(deadline)
      ? Math.round(Duration.toMillis(yield* Deadline.remaining(deadline.value)))
      : null,
    priority: Option.getOrNull(priority)
  }
})

const listen = NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })

const urlOf = (server: HttpServer.HttpServer) =>
  server.address._tag === "TcpAddress" ? `http://127.0.0.1:${server.address.port}` : "unix socket"

// --- inventory: an HttpApi app ---------------------------------------------------

const Stock = Schema.Struct({
  sku: Schema.String,
  remainingMillis: Schema.NullOr(Schema.Number),
  priority: Schema.NullOr(Schema.String)
})

const InventoryApi = HttpApi.make("inventory").add(
  HttpApiGroup.make("stock")
    .add(HttpApiEndpoint.get("stock", "/stock/:sku").setPath(Schema.Struct({ sku: Schema.String })).addSuccess(Stock))
    .add(HttpApiEndpoint.get("recount", "/recount").addSuccess(Stock))
)

const StockLive = HttpApiBuilder.group(InventoryApi, "stock", (handlers) =>
  handlers
    .handle("stock", ({ path }) => Effect.map(context, (seen) => ({ sku: path.sku, ...seen })))
    // a slow endpoint with its own timeout: 200 ms unless the caller sends a deadline
    .handle(
      "recount",
      ServerMiddleware.routeTimeout("200 millis")(() =>
        Effect.zipRight(Effect.sleep("1 second"), Effect.map(context, (seen) => ({ sku: "*", ...seen })))
      )
    ))

const Inventory = HttpApiBuilder.serve(ServerMiddleware.make({ cancelOnTimeout: true })).pipe(
  Layer.provide(HttpApiBuilder.api(InventoryApi).pipe(Layer.provide(StockLive))),
  Layer.provideMerge(listen)
)

// --- orders: an HttpRouter app that calls inventory ------------------------------

const orders = (inventory: HttpClient.HttpClient.With<ResilientHttpClient.Error>) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(
      "/orders/:id",
      Effect.gen(function*() {
        const seen = yield* context
        const response = yield* inventory.execute(HttpRequest.get("stock/{sku}", { path: { sku: "ABC-1" } }))
        const stock = yield* response.json
        return HttpServerResponse.unsafeJson({ orders: seen, inventory: stock })
      }).pipe(
        Effect.scoped,
        // inventory's failures are answers of their own, logged (see the README's "A taste")
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning(`inventory: ${error.message}`),
            HttpServerResponse.text(`inventory: ${error._tag}`, {
              status: error._tag === "DeadlineExceededError" ? 504 : 502
            })
          )
        )
      )
    ),
    HttpRouter.get(
      "/slow",
      Effect.as(Effect.sleep("2 seconds"), HttpServerResponse.text("finished"))
    )
  )

const program = Effect.gen(function*() {
  const inventoryContext = yield* Layer.build(Inventory)
  const inventoryUrl = urlOf(Context.get(inventoryContext, HttpServer.HttpServer))

  const http = yield* Layer.build(NodeHttpClient.layerUndici)
  const inventory = yield* ResilientHttpClient.make({ endpoint: inventoryUrl, serviceName: "orders", priority: "high" })
    .pipe(Effect.map(HttpClient.filterStatusOk), Effect.provide(http))

  const ordersContext = yield* Layer.build(listen)
  yield* HttpServer.serveEffect(ServerMiddleware.make({ timeout: "3 seconds", cancelOnTimeout: true }))(
    orders(inventory)
  ).pipe(Effect.provide(ordersContext))
  const ordersUrl = urlOf(Context.get(ordersContext, HttpServer.HttpServer))

  const client = yield* HttpClient.HttpClient.pipe(Effect.provide(http))
  const call = (label: string, url: string, headers: Record<string, string> = {}) =>
    client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers))).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.text, (body) => `${label.padEnd(58)} ${response.status} ${body}`)
      ),
      Effect.scoped,
      Effect.flatMap(Console.log)
    )

  yield* Console.log(`inventory (HttpApi) on ${inventoryUrl}, orders (HttpRouter) on ${ordersUrl}\n`)
  yield* call("orders, 1.5 s deadline, low priority → inventory", `${ordersUrl}/orders/7`, {
    "x-request-timeout": "1.5",
    "x-request-priority": "low",
    "x-service-name": "web"
  })
  yield* call("orders, no headers (default 3 s, normal)", `${ordersUrl}/orders/7`)
  yield* call("orders, deadline 0 → 408, handler not run", `${ordersUrl}/orders/7`, { "x-request-timeout": "0" })
  yield* call("orders, 2 ms left (below 5 ms threshold) → 408", `${ordersUrl}/orders/7`, {
    "x-request-timeout": "0.002"
  })
  yield* call("orders /slow, 0.3 s deadline, cancelOnTimeout → 408", `${ordersUrl}/slow`, {
    "x-request-timeout": "0.3"
  })
  yield* call("orders, malformed headers are ignored (default applies)", `${ordersUrl}/orders/7`, {
    "x-request-timeout": "1e309",
    "x-request-priority": "urgent"
  })
  yield* call("inventory /recount, route timeout 0.2 s, no header → 408", `${inventoryUrl}/recount`)
  yield* call("inventory /recount, header 1.5 s wins over route timeout", `${inventoryUrl}/recount`, {
    "x-request-timeout": "1.5"
  })
})

NodeRuntime.runMain(Effect.scoped(program))
