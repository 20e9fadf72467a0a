/**
 * Issue 21 item 11, on both lines: the headers that never leave the origin. Two loopback
 * servers on different ports (two origins): the first records what it receives and redirects
 * to the second, which records what arrives there.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  it,
  scopedLive,
  transports,
  withRedactedNames
} from "@aio-request/line/platform-testkit"
import { loopback } from "./support/loopback.js"

type Seen = Record<string, string | undefined>

/** An answer: a status and, for a redirect, where to. */
type Answer = { readonly status: 200 } | { readonly status: 302 | 307; readonly location: string }

/** A server that records the headers of each request it gets, and answers what `answer` says. */
const recording = (answer: (path: string) => Answer) =>
  Effect.map(
    loopback((request, response) => {
      const a = answer(request.url!)
      if (a.status === 200) response.writeHead(200, { "content-type": "text/plain" })
      else response.writeHead(a.status, { location: a.location })
      response.end(a.status === 200 ? "second" : "")
    }),
    ({ received, url }) => ({
      url,
      seen: Effect.sync((): ReadonlyArray<Seen> =>
        received.map((r) => ({ ...r.headers as Record<string, string | undefined>, path: r.url }))
      )
    })
  )

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
    scopedLive(
      "by default: the credentials and Effect's redacted names (x-api-key) stay home",
      () =>
        Effect.gen(function*() {
          const second = yield* recording(() => ({ status: 200 }))
          const first = yield* recording((path) =>
            path === "/same"
              ? { status: 302, location: "/landed" }
              : { status: 307, location: `${second.url}/landed` }
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
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "originBoundHeaders names the headers (or patterns) that never leave the origin",
      () =>
        Effect.gen(function*() {
          const second = yield* recording(() => ({ status: 200 }))
          const first = yield* recording(() => ({ status: 302, location: `${second.url}/landed` }))
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
        }).pipe(Effect.provide(transport.layer))
    )

    scopedLive(
      "a header marked sensitive in Headers.currentRedactedNames stays home too",
      () =>
        Effect.gen(function*() {
          const second = yield* recording(() => ({ status: 200 }))
          const first = yield* recording(() => ({ status: 302, location: `${second.url}/landed` }))
          const client = yield* ResilientHttpClient.make({ endpoint: first.url })
          yield* client.execute(HttpRequest.get("start", { headers: sent })).pipe(
            withRedactedNames(["x-trace"])
          )
          const [atFirst] = yield* first.seen
          const [atSecond] = yield* second.seen
          assert.deepStrictEqual(picked(atFirst!), Object.keys(sent))
          // redacted names replaced by ["x-trace"]: the option's default three and x-trace stay home
          assert.deepStrictEqual(picked(atSecond!), ["x-api-key", "x-tenant-token", "x-secret-one"])
        }).pipe(Effect.provide(transport.layer))
    )
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
