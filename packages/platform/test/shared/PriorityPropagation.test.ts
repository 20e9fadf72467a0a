/**
 * Priority travels, on both lines, over loopback HTTP: a front service behind the server
 * middleware, called with `X-Request-Priority`, whose handler calls an upstream through a
 * default `ResilientHttpClient`; the upstream sees the same priority (docs/propagation.md).
 */
import { Priority } from "@aio-request/line/core"
import { ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  HttpClientRequest,
  it,
  serveBehind,
  undici
} from "@aio-request/line/platform-testkit"
import { recordingServer, send } from "./support/raw.js"

const upstream = Effect.acquireRelease(Effect.promise(recordingServer), (server) => Effect.promise(server.close))

/** A live test with undici under the resilient client and a scope for the servers. */
const test = <E, R>(name: string, body: Effect.Effect<void, E, R>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body, undici)) as Effect.Effect<void, unknown>)

/** A front behind the middleware whose handler calls the upstream through `client`; its URL. */
/**
 * A front behind the middleware (`options`) whose handler calls the upstream at `upstreamUrl`
 * through a resilient client (`priority`: its option); the front's URL.
 */
const front = (
  upstreamUrl: string,
  options: { readonly priority?: Priority.Priority } = {},
  priority?: Priority.Priority
) =>
  Effect.flatMap(ResilientHttpClient.make({ endpoint: upstreamUrl, priority }), (client) =>
    serveBehind(
      options,
      () => Effect.as(Effect.flatMap(client.execute(HttpClientRequest.get("x")), (response) => response.text), "called")
    ))

describe("priority propagation across two services", () => {
  test(
    "with a default client, the upstream sees the priority the front was called with",
    Effect.gen(function*() {
      const up = yield* upstream
      const url = yield* front(up.url)
      for (const priority of ["high", "low", "normal"] as const) {
        const answer = yield* Effect.promise(() => send(url, { "X-Request-Priority": priority }))
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(up.seen.at(-1)!["x-request-priority"], priority, `called with ${priority}`)
      }
    })
  )

  test(
    "without a header the front's default priority travels",
    Effect.gen(function*() {
      const up = yield* upstream
      const plain = yield* front(up.url)
      const lowByDefault = yield* front(up.url, { priority: "low" })
      assert.strictEqual((yield* Effect.promise(() => send(plain))).status, 200)
      assert.strictEqual(up.seen.at(-1)!["x-request-priority"], "normal")
      assert.strictEqual((yield* Effect.promise(() => send(lowByDefault))).status, 200)
      assert.strictEqual(up.seen.at(-1)!["x-request-priority"], "low")
    })
  )

  test(
    "an explicit client priority is normalised against the inherited one",
    Effect.gen(function*() {
      const up = yield* upstream
      const url = yield* front(up.url, {}, "low")
      const expected = { high: "normal", normal: "low", low: "low" } as const
      for (const priority of ["high", "normal", "low"] as const) {
        assert.strictEqual((yield* Effect.promise(() => send(url, { "X-Request-Priority": priority }))).status, 200)
        assert.strictEqual(up.seen.at(-1)!["x-request-priority"], expected[priority], `called with ${priority}`)
      }
    })
  )

  test(
    "outside a server, withPriority sets what a default client sends",
    Effect.gen(function*() {
      const up = yield* upstream
      const client = yield* ResilientHttpClient.make({ endpoint: up.url })
      yield* client.execute(HttpClientRequest.get("x")).pipe(Priority.withPriority("high"))
      assert.strictEqual(up.seen.at(-1)!["x-request-priority"], "high")
      yield* client.execute(HttpClientRequest.get("x"))
      assert.strictEqual(up.seen.at(-1)!["x-request-priority"], "normal")
    })
  )
})
