/**
 * Issue 21 item 7: the JSON read of a winning response checks the content
 * type first (Python aio-request's `UnexpectedContentTypeError`), as a
 * `ResponseError` (reason "Decode") in the error channel, with
 * `jsonContentTypes` to relax it. Loopback servers on 127.0.0.1. On both lines: the
 * `ResponseError` of Effect 3 is, on Effect 4, the `HttpClientError` whose reason is a
 * `DecodeError` (read through the kit's `httpErrorOf`).
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  Exit,
  failureOf,
  HttpClient,
  HttpClientResponse,
  httpErrorOf,
  it,
  Schema,
  scopedLive,
  transports
} from "@aio-request/line/platform-testkit"
import { loopback } from "./support/loopback.js"

const body = `{"id":1}`

/** Answers `GET /<i>` with `body` and the content type `contentTypes[i]`. */
const server = (contentTypes: ReadonlyArray<string>) =>
  Effect.map(
    loopback((request, response) => {
      response.writeHead(200, { "content-type": contentTypes[Number(request.url!.slice(1))]! })
      response.end(body)
    }),
    ({ url }) => url
  )

/** A server whose 200 carries `body` and no content-type at all. */
const withoutContentType = Effect.map(
  loopback((_, response) => {
    response.writeHead(200, { "content-length": String(body.length), connection: "close" })
    response.end(body)
  }),
  ({ url }) => url
)

/** The view of an HTTP client error; fails the test on anything else. */
const viewOf = (error: unknown) => {
  const view = httpErrorOf(error)
  if (view === undefined) return assert.fail(`expected an HTTP client error, got ${String(error)}`)
  return view
}

for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}: json checks the content type`, () => {
    scopedLive(
      "reads application/json and application/*+json, with parameters and in any case",
      () =>
        Effect.gen(function*() {
          const accepted = [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            "application/problem+json",
            "application/vnd.api+json; charset=utf-8"
          ]
          const url = yield* server(accepted)
          const client = yield* ResilientHttpClient.make({ endpoint: url })
          for (let i = 0; i < accepted.length; i++) {
            const response = yield* client.execute(HttpRequest.get("{i}", { path: { i } }))
            assert.deepStrictEqual(yield* response.json, { id: 1 }, accepted[i])
          }
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "refuses anything else with a ResponseError (Decode) naming it, the body left to read",
      () =>
        Effect.gen(function*() {
          const refused = ["text/html; charset=utf-8", "text/plain", "application/jsonp", "application/json-seq"]
          const url = yield* server(refused)
          const client = yield* ResilientHttpClient.make({ endpoint: url })
          for (let i = 0; i < refused.length; i++) {
            const response = yield* client.execute(HttpRequest.get("{i}", { path: { i } }))
            const error = failureOf(yield* Effect.exit(response.json))
            const view = viewOf(error)
            assert.strictEqual(view.side, "response", refused[i])
            assert.strictEqual(view.reason, "Decode")
            assert.strictEqual(view.response!.status, 200)
            assert.include(error.message, `got ${JSON.stringify(refused[i])}`)
            assert.include(error.message, `GET ${url}/${i}`)
            // as after filterStatusOk, the body was not read: it is still there for a log line
            assert.strictEqual(yield* view.response!.text, body)
          }
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "schemaBodyJson and filterStatusOk users catch it where they catch ResponseError",
      () =>
        Effect.gen(function*() {
          const url = yield* server(["text/html"])
          const client = (yield* ResilientHttpClient.make({ endpoint: url })).pipe(HttpClient.filterStatusOk)
          const User = Schema.Struct({ id: Schema.Number })
          const answer = yield* client.execute(HttpRequest.get("0")).pipe(
            Effect.flatMap(HttpClientResponse.schemaBodyJson(User)),
            Effect.map((user) => `user ${user.id}`),
            Effect.catchIf(
              (error) => httpErrorOf(error)?.side === "response",
              (error) => Effect.succeed(`${viewOf(error).reason}: ${viewOf(error).description}`)
            )
          )
          assert.match(answer, /^Decode: expected a JSON content type .*, got "text\/html"/)
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive("a missing content type is not JSON, unless jsonContentTypes is \"any\"", () =>
      Effect.gen(function*() {
        const url = yield* withoutContentType
        const strict = yield* ResilientHttpClient.make({ endpoint: url })
        const error = failureOf(yield* Effect.exit(Effect.flatMap(strict.execute(HttpRequest.get("x")), (r) => r.json)))
        assert.strictEqual(viewOf(error).side, "response")
        assert.include(error.message, "got no content-type")
        const relaxed = yield* ResilientHttpClient.make({ endpoint: url, jsonContentTypes: "any" })
        assert.deepStrictEqual(yield* Effect.flatMap(relaxed.execute(HttpRequest.get("x")), (r) => r.json), { id: 1 })
      }).pipe(Effect.provide(transport.layer)))

    scopedLive("jsonContentTypes adds media types; \"any\" reads whatever comes", () =>
      Effect.gen(function*() {
        const url = yield* server(["text/plain; charset=utf-8", "text/html"])
        const read = (client: HttpClient.HttpClient.With<ResilientHttpClient.Error>, i: number) =>
          Effect.exit(Effect.flatMap(client.execute(HttpRequest.get("{i}", { path: { i } })), (r) => r.json))
        const plain = yield* ResilientHttpClient.make({ endpoint: url, jsonContentTypes: ["Text/Plain"] })
        assert.deepStrictEqual(yield* read(plain, 0), Exit.succeed({ id: 1 }))
        assert.strictEqual(viewOf(failureOf(yield* read(plain, 1))).side, "response")
        const any = yield* ResilientHttpClient.make({ endpoint: url, jsonContentTypes: "any" })
        assert.deepStrictEqual(yield* read(any, 1), Exit.succeed({ id: 1 }))
      }).pipe(Effect.provide(transport.layer)))
  })
}

describe("ResilientHttpClient jsonContentTypes option", () => {
  it("is checked at construction, naming the option", () => {
    for (const value of ["text/plain", ["text/plain; charset=utf-8"], ["json"], [1], {}]) {
      assert.throws(
        () =>
          ResilientHttpClient.make({
            endpoint: "http://127.0.0.1:1/",
            jsonContentTypes: value as unknown as ReadonlyArray<string>
          }),
        /ResilientHttpClient\.make: option "jsonContentTypes"/
      )
    }
  })
})
