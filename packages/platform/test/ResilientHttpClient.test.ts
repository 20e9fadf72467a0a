/**
 * `ResilientHttpClient` on Effect 3 only. Everything else once here runs on both lines from
 * packages/platform/test/shared (ResilientHttpClient, .transports, .errors, .release). What
 * stays: the `HttpClient` of `layer` failing with a `RequestError` whose `cause` is the typed
 * error, an error shape that is Effect 3's own (Effect 4 has one `HttpClientError` with a
 * `reason`).
 */
import { Deadline } from "@aio-request/core"
import { ResilientHttpClient } from "@aio-request/platform"
import { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { refusedUrl } from "./support/servers.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${String(exit.value)}`)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

describe("ResilientHttpClient layer (effect 3)", () => {
  it.scopedLive("layer provides an HttpClient whose own errors are RequestErrors carrying the typed cause", () =>
    Effect.gen(function*() {
      const url = yield* refusedUrl
      const exit = yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        return yield* client.get("x")
      }).pipe(
        Deadline.within("1 second"),
        Effect.provide(
          ResilientHttpClient.layer({ endpoint: url, lowTimeoutThreshold: "2 seconds" }).pipe(
            Layer.provide(NodeHttpClient.layerUndici)
          )
        ),
        Effect.exit
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual((error as { cause?: { _tag?: string } }).cause?._tag, "DeadlineExceededError")
    }))
})
