/**
 * The README's "A taste", verbatim below this comment: a profile service calling a users
 * service, hedged, with the upstream's failures mapped to answers (504, 503, 502) and logged,
 * and Effect's HttpMiddleware.logger around ServerMiddleware. It serves on a free port, asks
 * itself for /profile/42 once and exits.
 *
 *   npx tsx examples/src/profile.ts                                # users unreachable: 502
 *   USERS_URL=http://127.0.0.1:8081/ npx tsx examples/src/profile.ts  # a users service of yours
 */
import { Delays, Strategy } from "@aio-request/core"
import { HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpMiddleware, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, flow, Layer } from "effect"
import { createServer } from "node:http"

// What the caller gets, and what is logged, when the users service lets us down
const failed = (error: ResilientHttpClient.Error) => {
  const [status, reason] = error._tag === "DeadlineExceededError"
    ? [504, "users did not answer in time"]
    : error._tag === "CircuitBreakerOpenError"
    ? [503, "users is failing, try again later"]
    : error._tag === "ResponseError" && error.reason === "StatusCode"
    ? [502, `users answered ${error.response.status}`]
    : [502, "users is unreachable"]
  return Effect.logWarning(`${reason}: ${error.message}`).pipe(Effect.as(HttpServerResponse.text(reason, { status })))
}

const Profile = (usersUrl: string) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const users = (yield* ResilientHttpClient.make({
      endpoint: usersUrl,
      serviceName: "profile",
      strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
    })).pipe(HttpClient.filterStatusOk) // a 5xx (once the hedge is done) fails instead of passing for a 200
    const getProfile = Effect.gen(function*() {
      const { id } = yield* HttpRouter.params
      // inherits the deadline and the priority sent in X-Request-Timeout / X-Request-Priority
      const response = yield* users.execute(HttpRequest.get("users/{id}", { path: { id: id! } }))
      return HttpServerResponse.unsafeJson(yield* response.json)
    }).pipe(Effect.catchAll(failed))
    const router = HttpRouter.empty.pipe(HttpRouter.get("/profile/:id", getProfile))
    // the logger outside: it logs every answer, the 408s and 503s of ServerMiddleware too
    return HttpServer.serve(router, flow(ServerMiddleware.make(), HttpMiddleware.logger))
  }))

// Serves on a free port, asks itself for a profile, and stops (a real service would
// Layer.launch it). Nothing listens on USERS_URL's default address.
Effect.gen(function*() {
  const url = yield* HttpServer.addressFormattedWith(Effect.succeed)
  const response = yield* HttpClient.get(`${url}/profile/42`, { headers: { "x-request-timeout": "2" } })
  yield* Console.log(response.status, yield* response.text)
}).pipe(
  Effect.provide(
    Profile(process.env.USERS_URL ?? "http://127.0.0.1:9/").pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
    )
  ),
  Effect.provide(NodeHttpClient.layerUndici),
  NodeRuntime.runMain
)
