/**
 * The Effect 4 counterpart of packages/platform/test/ServerMiddleware.httpapi.test.ts: the same
 * cases and assertions, with the API served by `HttpApiBuilder.layer` on an `HttpRouter` and
 * the middleware as global router middleware (Effect 4 has no `HttpApiBuilder.serve` or
 * `HttpApiBuilder.middleware`).
 */
import { Deadline, Priority } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Layer, Option, Ref, Schema } from "effect"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
import { ServerMiddleware } from "../src/index.js"
import * as harness from "./support/serverMiddlewareHarness.js"
import { awaitServerCount, uniqueClient } from "./support/serverMiddlewareHarness.js"

const Seen = Schema.Struct({ remainingMillis: Schema.NullOr(Schema.Number), priority: Schema.NullOr(Schema.String) })

const api = HttpApi.make("api").add(
  HttpApiGroup.make("items")
    .add(HttpApiEndpoint.get("item", "/items/:id", { params: { id: Schema.String }, success: Seen }))
    .add(HttpApiEndpoint.get("slow", "/slow", { success: Seen }))
    .add(HttpApiEndpoint.get("report", "/report", { success: Seen }))
    .add(HttpApiEndpoint.get("never", "/never", { success: Seen }))
)

const seen = Effect.gen(function*() {
  const deadline = yield* Deadline.CurrentDeadline
  const priority = yield* Priority.CurrentPriority
  return {
    remainingMillis: Option.isSome(deadline) ? Duration.toMillis(yield* Deadline.remaining(deadline.value)) : null,
    priority: Option.getOrNull(priority)
  }
})

interface Probe {
  readonly started: Ref.Ref<number>
  readonly finished: Ref.Ref<number>
  readonly interrupted: Deferred.Deferred<void>
}

const slowly = (probe: Probe, work: Duration.Input) =>
  Effect.gen(function*() {
    yield* Ref.update(probe.started, (n) => n + 1)
    yield* Effect.sleep(work)
    yield* Ref.update(probe.finished, (n) => n + 1)
    return yield* seen
  }).pipe(Effect.onInterrupt(() => Deferred.succeed(probe.interrupted, void 0)))

const groupLive = (probe: Probe) =>
  HttpApiBuilder.group(api, "items", (handlers) =>
    handlers
      .handle("item", () => seen)
      .handle("slow", () => slowly(probe, "1 second"))
      .handle("report", ServerMiddleware.routeTimeout("200 millis")(() => slowly(probe, "1 second")))
      .handle("never", () => slowly(probe, "10 millis").pipe(ServerMiddleware.routeTimeout(0))))

/** Serves `api` on 127.0.0.1 behind the middleware (global router middleware). */
const serveApi = (placement: "router-middleware", options: ServerMiddleware.Options) =>
  Effect.gen(function*() {
    const probe: Probe = {
      started: yield* Ref.make(0),
      finished: yield* Ref.make(0),
      interrupted: yield* Deferred.make<void>()
    }
    const apiLive = HttpApiBuilder.layer(api).pipe(Layer.provide(groupLive(probe)))
    const url = yield* harness.serve(apiLive, options)
    return { url, probe, placement }
  })

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(
    harness.get(url, headers),
    ({ status, text }) => ({ status, body: status === 200 ? JSON.parse(text) : undefined })
  )

for (const placement of ["router-middleware"] as const) {
  describe(`ServerMiddleware with HttpApi (${placement})`, () => {
    it.live("the handler sees the header's deadline and priority; the metric has the endpoint's template", () =>
      Effect.gen(function*() {
        const client = uniqueClient(`api-${placement}`)
        const { url } = yield* serveApi(placement, {})
        const { body, status } = yield* get(`${url}/items/42`, {
          "x-request-timeout": "2",
          "x-request-priority": "low",
          "x-service-name": client
        })
        assert.strictEqual(status, 200)
        assert.isTrue(body.remainingMillis <= 2000 && body.remainingMillis > 1000, String(body.remainingMillis))
        assert.strictEqual(body.priority, "low")
        yield* awaitServerCount({ client, method: "GET", path: "/items/:id", status: 200 }, 1)
      }))

    it.live("deadline 0: 408 without running the handler", () =>
      Effect.gen(function*() {
        const { probe, url } = yield* serveApi(placement, {})
        assert.strictEqual((yield* get(`${url}/slow`, { "x-request-timeout": "0" })).status, 408)
        assert.strictEqual(yield* Ref.get(probe.started), 0)
      }))

    it.live("cancelOnTimeout: a 1 s handler under a 0.5 s deadline is interrupted and answered 408", () =>
      Effect.gen(function*() {
        const client = uniqueClient(`api-cut-${placement}`)
        const { probe, url } = yield* serveApi(placement, { cancelOnTimeout: true })
        const { status } = yield* get(`${url}/slow`, { "x-request-timeout": "0.5", "x-service-name": client })
        assert.strictEqual(status, 408)
        yield* Deferred.await(probe.interrupted)
        assert.strictEqual(yield* Ref.get(probe.finished), 0)
        yield* awaitServerCount({ client, method: "GET", path: "/slow", status: 408 }, 1)
      }))

    it.live("routeTimeout on an HttpApi handler: 0.2 s cuts a 1 s handler when no header is sent", () =>
      Effect.gen(function*() {
        const client = uniqueClient(`api-route-${placement}`)
        const { probe, url } = yield* serveApi(placement, { cancelOnTimeout: true })
        const { status } = yield* get(`${url}/report`, { "x-service-name": client })
        assert.strictEqual(status, 408)
        yield* Deferred.await(probe.interrupted)
        assert.strictEqual(yield* Ref.get(probe.finished), 0)
        yield* awaitServerCount({ client, method: "GET", path: "/report", status: 408 }, 1)
      }))

    it.live("a header deadline takes precedence over the route timeout", () =>
      Effect.gen(function*() {
        const { probe, url } = yield* serveApi(placement, { cancelOnTimeout: true })
        const { status } = yield* get(`${url}/report`, { "x-request-timeout": "3" })
        assert.strictEqual(status, 200)
        assert.strictEqual(yield* Ref.get(probe.finished), 1)
      }))

    it.live("a route timeout of 0 answers 408 without running the handler", () =>
      Effect.gen(function*() {
        const { probe, url } = yield* serveApi(placement, {})
        assert.strictEqual((yield* get(`${url}/never`)).status, 408)
        assert.strictEqual(yield* Ref.get(probe.started), 0)
      }))
  })
}
