/**
 * `ResilientHttpClient` on both lines, on every transport (undici, fetch): the responses of the
 * attempts that did not win are released (the server sees their connection aborted). Once
 * Effect 3 only (packages/platform/test/ResilientHttpClient.test.ts).
 */
import { Delays, Strategy } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  eventually,
  HttpServerResponse,
  route,
  routes,
  scopedLive,
  serve,
  Stream,
  tally,
  transports
} from "@aio-request/line/platform-testkit"

const noJitter = Delays.linear({ min: "20 millis", multiplier: "0 millis", jitter: 0 })

for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}`, () => {
    scopedLive("the responses of attempts that did not win are released", () =>
      Effect.gen(function*() {
        const calls = tally()
        const released = tally()
        const url = yield* serve(
          routes(
            route(
              "/x",
              Effect.gen(function*() {
                yield* calls.hit
                if ((yield* calls.get) < 3) {
                  // a body that never ends: only an abort from the client frees it
                  const body = Stream.concat(Stream.make(new TextEncoder().encode("partial")), Stream.never).pipe(
                    Stream.ensuring(released.hit)
                  )
                  return HttpServerResponse.stream(body, { status: 503 })
                }
                return HttpServerResponse.text("ok")
              })
            )
          )
        )
        const client = yield* ResilientHttpClient.make({
          endpoint: url,
          strategy: Strategy.sequential({ attempts: 3, delays: noJitter })
        })
        const response = yield* client.execute(HttpRequest.get("x"))
        assert.strictEqual(yield* response.text, "ok")
        assert.strictEqual(yield* eventually(released.get, (n) => n === 2), 2)
      }).pipe(Effect.provide(transport.layer)))
  })
}
