/**
 * Issue 21 item 11: the headers that never leave the origin. Two loopback
 * servers on different ports (two origins): the first records what it
 * receives and redirects to the second, which records what arrives there.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import { Headers, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import { serve, transports } from "./support/servers.js"

type Seen = Record<string, string | undefined>

/** A server that records the headers of each request it gets, and answers what `answer` says. */
const recording = (answer: (path: string) => HttpServerResponse.HttpServerResponse) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const url = yield* serve(
      HttpRouter.empty.pipe(
        HttpRouter.get(
          "*",
          Effect.gen(function*() {
            const request = yield* HttpServerRequest.HttpServerRequest
            yield* Ref.update(seen, (all) => [...all, { ...request.headers, path: request.url }])
            return answer(request.url)
          })
        )
      )
    )
    return { url, seen: Ref.get(seen) }
  })

const sent = {
  authorization: "Bearer a",
  cookie: "session=s",
  "proxy-authorization": "Basic p",
  "x-api-key": "k",
  "x-tenant-token": "t",
  "x-secret-one": "1",
  "x-trace": "trace"
}

const picked = (seen: Seen) => Object.keys(sent).filter((name) => seen[name] !== undefined)

for (const transport of transports) {
  describe(`ResilientHttpClient over ${transport.name}: headers bound to the origin`, () => {
    it.scopedLive("by default: the credentials and Effect's redacted names (x-api-key) stay home", () =>
      Effect.gen(function*() {
        const second = yield* recording(() => HttpServerResponse.text("second"))
        const first = yield* recording((path) =>
          path === "/same"
            ? HttpServerResponse.redirect("/landed", { status: 302 })
            : HttpServerResponse.redirect(`${second.url}/landed`, { status: 307 })
        )
        const client = yield* ResilientHttpClient.make({ endpoint: first.url })
        assert.strictEqual((yield* client.execute(HttpRequest.get("start", { headers: sent }))).status, 200)
        const [atFirst] = yield* first.seen
        const [atSecond] = yield* second.seen
        assert.deepStrictEqual(picked(atFirst!), Object.keys(sent), "the first origin gets every header")
        assert.strictEqual(atSecond!["path"], "/landed")
        assert.deepStrictEqual(picked(atSecond!), ["x-tenant-token", "x-secret-one", "x-trace"])

        // a redirect on the same origin keeps them all
        assert.strictEqual((yield* client.execute(HttpRequest.get("same", { headers: sent }))).status, 200)
        const atFirstAgain = (yield* first.seen).find((seen) => seen["path"] === "/landed")!
        assert.deepStrictEqual(picked(atFirstAgain), Object.keys(sent))
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("originBoundHeaders names the headers (or patterns) that never leave the origin", () =>
      Effect.gen(function*() {
        const second = yield* recording(() => HttpServerResponse.text("second"))
        const first = yield* recording(() => HttpServerResponse.redirect(`${second.url}/landed`, { status: 302 }))
        const client = yield* ResilientHttpClient.make({
          endpoint: first.url,
          originBoundHeaders: ["X-Tenant-Token", /^x-secret-/]
        })
        yield* client.execute(HttpRequest.get("start", { headers: sent }))
        const [atFirst] = yield* first.seen
        const [atSecond] = yield* second.seen
        assert.deepStrictEqual(picked(atFirst!), Object.keys(sent))
        // the option replaces the three credentials; the redacted names (authorization, cookie, x-api-key) stay bound
        assert.deepStrictEqual(picked(atSecond!), ["proxy-authorization", "x-trace"])
      }).pipe(Effect.provide(transport.layer)))

    it.scopedLive("a header marked sensitive in Headers.currentRedactedNames stays home too", () =>
      Effect.gen(function*() {
        const second = yield* recording(() => HttpServerResponse.text("second"))
        const first = yield* recording(() => HttpServerResponse.redirect(`${second.url}/landed`, { status: 302 }))
        const client = yield* ResilientHttpClient.make({ endpoint: first.url })
        yield* client.execute(HttpRequest.get("start", { headers: sent })).pipe(
          Effect.locally(Headers.currentRedactedNames, ["x-trace"])
        )
        const [atFirst] = yield* first.seen
        const [atSecond] = yield* second.seen
        assert.deepStrictEqual(picked(atFirst!), Object.keys(sent))
        // redacted names replaced by ["x-trace"]: the option's default three and x-trace stay home
        assert.deepStrictEqual(picked(atSecond!), ["x-api-key", "x-tenant-token", "x-secret-one"])
      }).pipe(Effect.provide(transport.layer)))
  })
}

describe("ResilientHttpClient originBoundHeaders option", () => {
  it("is checked at construction, naming the option", () => {
    for (const value of ["authorization", ["bad name"], [1], {}]) {
      assert.throws(
        () =>
          ResilientHttpClient.make({
            endpoint: "http://127.0.0.1:1/",
            originBoundHeaders: value as unknown as ReadonlyArray<string>
          }),
        /ResilientHttpClient\.make: option "originBoundHeaders"/
      )
    }
  })
})
