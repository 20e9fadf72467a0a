/**
 * The "Caching DNS lookups" recipe of docs/client.md: undici's own
 * `interceptors.dns` on the dispatcher `NodeHttpClient` sends through. A
 * counting `lookup` resolves a made-up name to 127.0.0.1: many requests, one
 * lookup.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { serve } from "./support/servers.js"

/** The recipe: a dispatcher whose lookups are cached (maxTTL ms), as the `HttpClient` layer. */
const dnsCachingHttpClient = (options: Parameters<typeof Undici.interceptors.dns>[0]) =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(
      Layer.scoped(
        NodeHttpClient.Dispatcher,
        Effect.acquireRelease(
          Effect.sync(() => new Undici.Agent().compose(Undici.interceptors.dns(options))),
          (dispatcher) => Effect.promise(() => dispatcher.destroy())
        )
      )
    )
  )

describe("caching DNS lookups (docs/client.md recipe)", () => {
  it.scopedLive("20 requests to svc.test, one lookup; the Host header keeps the name", () =>
    Effect.gen(function*() {
      const url = yield* serve(
        HttpRouter.empty.pipe(
          HttpRouter.get(
            "/host",
            Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
              HttpServerResponse.text(request.headers.host ?? ""))
          )
        )
      )
      const port = new URL(url).port
      const lookups: Array<string> = []
      const layer = dnsCachingHttpClient({
        maxTTL: 60_000,
        lookup: (origin, _options, callback) => {
          lookups.push(origin.hostname)
          callback(null, [{ address: "127.0.0.1", family: 4, ttl: 60_000 }])
        }
      })
      yield* Effect.gen(function*() {
        const client = yield* ResilientHttpClient.make({ endpoint: `http://svc.test:${port}/` })
        const hosts = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) =>
            i),
          () => Effect.flatMap(client.execute(HttpRequest.get("host")), (response) => response.text),
          { concurrency: 4 }
        )
        assert.deepStrictEqual(new Set(hosts), new Set([`svc.test:${port}`]))
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(lookups, ["svc.test"])
    }))
})
