/**
 * ServerMiddleware with HttpApi on both lines: the handler's deadline and priority, 408s, route
 * timeouts and the endpoint's template in the metric, with the middleware in each place the
 * line offers (the kit's `apiPlacements` and `serveApi`).
 */
import { ServerMiddleware } from "@aio-request/line/platform"
import type { DurationInput } from "@aio-request/line/platform-testkit"
import {
  apiPlacements,
  assert,
  awaitServerCount,
  Deferred,
  describe,
  Effect,
  get as plainGet,
  Ref,
  scopedLive,
  seenBody,
  serveApi as harnessServeApi,
  uniqueClient
} from "@aio-request/line/platform-testkit"

interface Probe {
  readonly started: Ref.Ref<number>
  readonly finished: Ref.Ref<number>
  readonly interrupted: Deferred.Deferred<void>
}

const slowly = (probe: Probe, work: DurationInput) =>
  Effect.gen(function*() {
    yield* Ref.update(probe.started, (n) => n + 1)
    yield* Effect.sleep(work)
    yield* Ref.update(probe.finished, (n) => n + 1)
    return yield* seenBody
  }).pipe(Effect.onInterrupt(() => Deferred.succeed(probe.interrupted, void 0)))

/**
 * Serves the API on 127.0.0.1 with the middleware at `placement` (the kit's `apiPlacements`:
 * around the whole app or as an API middleware on Effect 3, global router middleware on
 * Effect 4).
 */
const serveApi = (placement: string, options: ServerMiddleware.Options) =>
  Effect.gen(function*() {
    const probe: Probe = {
      started: yield* Ref.make(0),
      finished: yield* Ref.make(0),
      interrupted: yield* Deferred.make<void>()
    }
    const url = yield* harnessServeApi(placement, {
      item: () => seenBody,
      slow: () => slowly(probe, "1 second"),
      report: ServerMiddleware.routeTimeout("200 millis")(() => slowly(probe, "1 second")),
      never: () => slowly(probe, "10 millis").pipe(ServerMiddleware.routeTimeout(0))
    }, options)
    return { url, probe }
  })

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(
    plainGet(url, headers),
    ({ status, text }) => ({ status, body: status === 200 ? JSON.parse(text) : undefined })
  )

for (const placement of apiPlacements) {
  describe(`ServerMiddleware with HttpApi (${placement})`, () => {
    scopedLive(
      "the handler sees the header's deadline and priority; the metric has the endpoint's template",
      () =>
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
        })
    )

    scopedLive("deadline 0: 408 without running the handler", () =>
      Effect.gen(function*() {
        const { probe, url } = yield* serveApi(placement, {})
        assert.strictEqual((yield* get(`${url}/slow`, { "x-request-timeout": "0" })).status, 408)
        assert.strictEqual(yield* Ref.get(probe.started), 0)
      }))

    scopedLive(
      "cancelOnTimeout: a 1 s handler under a 0.5 s deadline is interrupted and answered 408",
      () =>
        Effect.gen(function*() {
          const client = uniqueClient(`api-cut-${placement}`)
          const { probe, url } = yield* serveApi(placement, { cancelOnTimeout: true })
          const { status } = yield* get(`${url}/slow`, { "x-request-timeout": "0.5", "x-service-name": client })
          assert.strictEqual(status, 408)
          yield* Deferred.await(probe.interrupted)
          assert.strictEqual(yield* Ref.get(probe.finished), 0)
          yield* awaitServerCount({ client, method: "GET", path: "/slow", status: 408 }, 1)
        })
    )

    scopedLive(
      "routeTimeout on an HttpApi handler: 0.2 s cuts a 1 s handler when no header is sent",
      () =>
        Effect.gen(function*() {
          const client = uniqueClient(`api-route-${placement}`)
          const { probe, url } = yield* serveApi(placement, { cancelOnTimeout: true })
          const { status } = yield* get(`${url}/report`, { "x-service-name": client })
          assert.strictEqual(status, 408)
          yield* Deferred.await(probe.interrupted)
          assert.strictEqual(yield* Ref.get(probe.finished), 0)
          yield* awaitServerCount({ client, method: "GET", path: "/report", status: 408 }, 1)
        })
    )

    scopedLive("a header deadline takes precedence over the route timeout", () =>
      Effect.gen(function*() {
        const { probe, url } = yield* serveApi(placement, { cancelOnTimeout: true })
        const { status } = yield* get(`${url}/report`, { "x-request-timeout": "3" })
        assert.strictEqual(status, 200)
        assert.strictEqual(yield* Ref.get(probe.finished), 1)
      }))

    scopedLive("a route timeout of 0 answers 408 without running the handler", () =>
      Effect.gen(function*() {
        const { probe, url } = yield* serveApi(placement, {})
        assert.strictEqual((yield* get(`${url}/never`)).status, 408)
        assert.strictEqual(yield* Ref.get(probe.started), 0)
      }))
  })
}
