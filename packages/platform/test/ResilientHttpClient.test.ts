import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { serve, transports } from "./support/servers.js"

for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}`, () => {
    it.scopedLive("smoke", () =>
      Effect.gen(function*() {
        const url = yield* serve(
          HttpRouter.empty.pipe(
            HttpRouter.get(
              "/api/users/:id",
              Effect.gen(function*() {
                const req = yield* HttpServerRequest.HttpServerRequest
                return HttpServerResponse.unsafeJson({ url: req.url, headers: req.headers })
              })
            )
          )
        )
        const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api` })
        const response = yield* client.execute(
          HttpRequest.get("users/{id}", { path: { id: "a b" }, query: { x: [1, 2], y: undefined } })
        )
        const body = yield* response.json
        console.log(response.status, body)
        assert.strictEqual(response.status, 200)
      }).pipe(Effect.provide(transport.layer)))
  })
}
