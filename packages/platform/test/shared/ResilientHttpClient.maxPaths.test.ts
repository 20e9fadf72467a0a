/**
 * `ResilientHttpClient`'s `maxPaths` on both lines: a caller passing literal paths (no
 * template) records at most `maxPaths` distinct `request_path` values, then
 * `HttpMetrics.overflowLabel`, in every client metric; an invalid bound is refused.
 */
import { HttpMetrics, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  counter,
  describe,
  Effect,
  histogram,
  HttpClientRequest,
  IllegalArgument,
  it,
  undici
} from "@aio-request/line/platform-testkit"
import { loopback } from "./support/loopback.js"

describe("ResilientHttpClient maxPaths", () => {
  it.live("records the paths past maxPaths as <other>, the first ones under their own", () =>
    Effect.scoped(
      Effect.gen(function*() {
        const { url } = yield* loopback((_, response) => response.writeHead(200).end("ok"))
        const endpoint = `${url}/`
        const http = yield* ResilientHttpClient.make({ endpoint, maxPaths: 2 })
        for (const path of ["items/1", "items/2", "items/3", "items/4", "items/1"]) {
          const response = yield* http.execute(HttpClientRequest.get(path))
          assert.strictEqual(response.status, 200)
        }
        const base = (path: string) => ({ request_endpoint: endpoint, request_method: "GET", request_path: path })
        const seen = (path: string) =>
          Effect.all({
            attempts: counter(HttpMetrics.attempts, base(path)),
            latency: Effect.map(
              histogram(HttpMetrics.clientLatency, { ...base(path), response_status: "200", circuit_breaker: "false" }),
              (h) => h.count
            ),
            transport: Effect.map(
              histogram(HttpMetrics.transportLatency, { ...base(path), response_status: "200" }),
              (h) => h.count
            )
          })
        assert.deepStrictEqual(yield* seen("items/1"), { attempts: 2, latency: 2, transport: 2 })
        assert.deepStrictEqual(yield* seen("items/2"), { attempts: 1, latency: 1, transport: 1 })
        assert.deepStrictEqual(yield* seen(HttpMetrics.overflowLabel), { attempts: 2, latency: 2, transport: 2 })
        assert.deepStrictEqual(yield* seen("items/3"), { attempts: 0, latency: 0, transport: 0 })
      }).pipe(Effect.provide(undici))
    ) as Effect.Effect<void, unknown>)

  it("refuses an invalid maxPaths, naming the option", () => {
    for (const maxPaths of [0, -1, 1.5, Number.NaN, "10"]) {
      assert.throws(
        () =>
          ResilientHttpClient.make(
            { endpoint: "http://127.0.0.1/", maxPaths } as unknown as ResilientHttpClient.Options
          ),
        IllegalArgument,
        /maxPaths/,
        String(maxPaths)
      )
    }
  })
})
