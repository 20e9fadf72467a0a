/**
 * `ResilientHttpClient` on Effect 4, over loopback HTTP: the spans, whose tracer API is the
 * line's own (Effect 3's twin is in packages/platform/test/ResilientHttpClient.test.ts). The
 * rest of this file's former tests run on both lines from packages/platform/test/shared
 * (ResilientHttpClient, .path, .json).
 */
import { Delays, Strategy } from "@aio-request/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"
import type { Scope } from "effect"
import type { HttpClient } from "effect/http"
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { HttpRequest, ResilientHttpClient } from "../src/index.js"

interface Seen {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string | Array<string> | undefined>
}

/** A loopback server answering with `handler`; what it received, in order. */
const server = (handler: (request: IncomingMessage, response: ServerResponse, n: number) => void) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly seen: Array<Seen> }>((resume) => {
      const seen: Array<Seen> = []
      const s = createServer((request, response) => {
        seen.push({ url: request.url!, method: request.method!, headers: request.headers })
        handler(request, response, seen.length)
      })
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/`, seen, close: s }))
      })
    }) as Effect.Effect<
      { readonly url: string; readonly seen: Array<Seen>; readonly close: ReturnType<typeof createServer> }
    >,
    ({ close }) =>
      Effect.callback<void>((resume) => {
        close.closeAllConnections()
        close.close(() => resume(Effect.void))
      })
  )

const client = ResilientHttpClient.make

/** A live test, with undici as the `HttpClient` under the resilient one. */
const test = <E>(name: string, body: Effect.Effect<void, E, HttpClient.HttpClient | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body, NodeHttpClient.layerUndici)))

const noJitter = Delays.linear({ min: "10 millis", multiplier: "0 millis", jitter: 0 })

describe("ResilientHttpClient (effect 4)", () => {
  test(
    "one request span, a child span per attempt with kind, verdict and status",
    Effect.gen(function*() {
      const { url } = yield* server((_, response, n) => {
        response.writeHead(n === 1 ? 503 : 200)
        response.end()
      })
      const spans: Array<
        { readonly name: string; readonly span: Tracer.Span; readonly attributes: Map<string, unknown> }
      > = []
      const tracer = Tracer.make({
        span: (options) => {
          const span = Tracer.nativeTracer.span(options)
          const attributes = new Map<string, unknown>()
          const attribute = span.attribute.bind(span)
          span.attribute = (key, value) => {
            attributes.set(key, value)
            attribute(key, value)
          }
          spans.push({ name: options.name, span, attributes })
          return span
        }
      })
      const http = yield* client({ endpoint: url, strategy: Strategy.sequential({ attempts: 2, delays: noJitter }) })
      const response = yield* http.execute(HttpRequest.get("items/{id}", { path: { id: 1 } })).pipe(
        Effect.withTracer(tracer)
      )
      assert.strictEqual(response.status, 200)
      const request = spans.find((s) => s.name === "aio_request.request")!
      assert.deepStrictEqual(Object.fromEntries(request.attributes), {
        "http.request.method": "GET",
        "url.template": "items/{id}",
        "aio_request.endpoint": url
      })
      const attempts = spans.filter((s) => s.name === "aio_request.attempt")
      assert.deepStrictEqual(
        attempts.map((s) => [Option.getOrUndefined(s.span.parent)?.spanId, Object.fromEntries(s.attributes)]),
        [
          [request.span.spanId, {
            "aio_request.attempt": 0,
            "aio_request.attempt.kind": "first",
            "aio_request.verdict": "reject",
            "http.response.status_code": 503
          }],
          [request.span.spanId, {
            "aio_request.attempt": 1,
            "aio_request.attempt.kind": "retry",
            "aio_request.verdict": "accept",
            "http.response.status_code": 200
          }]
        ]
      )
    })
  )
})
