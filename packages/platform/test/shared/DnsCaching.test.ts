/**
 * The "Caching DNS lookups" recipe of docs/client.md, on both lines (the recipe's layer is the
 * kit's `dnsCachingHttpClient`): undici's own `interceptors.dns` on the dispatcher
 * `NodeHttpClient` sends through. A counting `lookup` resolves a made-up name to 127.0.0.1:
 * many requests, one lookup.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { assert, describe, dnsCachingHttpClient, Effect, scopedLive } from "@aio-request/line/platform-testkit"
import { loopback } from "./support/loopback.js"

describe("caching DNS lookups (docs/client.md recipe)", () => {
  scopedLive("20 requests to svc.test, one lookup; the Host header keeps the name", () =>
    Effect.gen(function*() {
      const { url } = yield* loopback((request, response) => response.end(request.headers.host ?? ""))
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
          Array.from({ length: 20 }, (_, i) => i),
          () => Effect.flatMap(client.execute(HttpRequest.get("host")), (response) => response.text),
          { concurrency: 4 }
        )
        assert.deepStrictEqual(new Set(hosts), new Set([`svc.test:${port}`]))
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(lookups, ["svc.test"])
    }))
})
