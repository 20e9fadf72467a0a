/**
 * Issue 21 item 5: a path template refused at run time (a template typed
 * `string`, or a JavaScript caller) fails with an `InvalidUrl` whose message
 * says what is wrong in plain words, and nothing is sent.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Ref } from "effect"
import { serve } from "./support/servers.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

describe("ResilientHttpClient: a refused path template", () => {
  it.scopedLive("reads missing path parameter \"id\" for users/{id} (got: idd), and nothing is sent", () =>
    Effect.gen(function*() {
      const hits = yield* Ref.make(0)
      const url = yield* serve(
        HttpRouter.empty.pipe(
          HttpRouter.get("*", Effect.as(Ref.update(hits, (n) => n + 1), HttpServerResponse.text("")))
        )
      )
      const client = yield* ResilientHttpClient.make({ endpoint: `${url}/api/` })
      const cases: ReadonlyArray<readonly [string, Record<string, number>, string]> = [
        ["users/{id}", { idd: 1 }, `missing path parameter "id" for users/{id} (got: idd)`],
        ["users/{id}", { id: 1, extra: 2 }, `unused path parameter "extra" for users/{id}: no {extra} in the path`],
        ["users/:id", { id: 1 }, `unused path parameter "id" for users/:id: no {id} in the path (placeholders: none)`]
      ]
      for (const [template, path, reason] of cases) {
        const error = failureOf(yield* Effect.exit(client.execute(HttpRequest.get(template, { path }))))
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual((error as { reason?: string }).reason, "InvalidUrl")
        assert.include(error.message, `InvalidUrl: ${reason}`)
        assert.include(error.message, `(GET ${url}/api/${template})`)
        assert.notInclude(error.message, "%7B")
      }
      assert.strictEqual(yield* Ref.get(hits), 0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
