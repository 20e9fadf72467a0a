/**
 * Issue 21 item 5, on both lines: a path template refused at run time (a template typed
 * `string`, or a JavaScript caller) fails with an `InvalidUrl` whose message says what is
 * wrong in plain words, and nothing is sent.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Effect,
  failureOf,
  httpErrorOf,
  scopedLive,
  undici
} from "@aio-request/line/platform-testkit"
import { loopback } from "./support/loopback.js"

describe("ResilientHttpClient: a refused path template", () => {
  scopedLive(
    "reads missing path parameter \"id\" for users/{id} (got: idd), and nothing is sent",
    () =>
      Effect.gen(function*() {
        const { received, url } = yield* loopback((_, response) => response.end(""))
        const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api/` })
        const cases: ReadonlyArray<readonly [string, Record<string, number>, string]> = [
          ["users/{id}", { idd: 1 }, `missing path parameter "id" for users/{id} (got: idd)`],
          ["users/{id}", { id: 1, extra: 2 }, `unused path parameter "extra" for users/{id}: no {extra} in the path`],
          ["users/:id", { id: 1 }, `unused path parameter "id" for users/:id: no {id} in the path (placeholders: none)`]
        ]
        for (const [template, path, reason] of cases) {
          const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get(template, { path }))))
          const http = httpErrorOf(error)
          assert.strictEqual(http?.side, "request")
          assert.strictEqual(http?.reason, "InvalidUrl")
          assert.include(error.message, `InvalidUrl: ${reason}`)
          assert.include(error.message, `(GET ${url}/api/${template})`)
          assert.notInclude(error.message, "%7B")
        }
        assert.strictEqual(received.length, 0)
      }).pipe(Effect.provide(undici))
  )
})
