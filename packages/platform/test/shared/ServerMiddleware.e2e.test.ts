/**
 * ServerMiddleware end to end on both lines: service A behind the middleware calls service B
 * behind the middleware through the resilient client, over loopback HTTP.
 */
import { Deadline, Priority } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import type { Seen } from "@aio-request/line/platform-testkit"
import {
  assert,
  awaitServerCount,
  Deferred,
  describe,
  Duration,
  Effect,
  Fiber,
  fork,
  get,
  HttpServerResponse,
  jsonResponse,
  Layer,
  Option,
  pathParam,
  route,
  scopedLive,
  seen,
  serve,
  undici,
  uniqueClient
} from "@aio-request/line/platform-testkit"

/** A resilient client of service B, as service A would hold it (its dispatcher lives as long as the test). */
const clientOf = (endpoint: string, serviceName: string, priority: Priority.Priority = "normal") =>
  Effect.flatMap(
    Layer.build(undici),
    (context) => ResilientHttpClient.make({ endpoint, serviceName, priority }).pipe(Effect.provide(context))
  )

describe("ServerMiddleware end to end: A (middleware) calls B (middleware) through the resilient client", () => {
  scopedLive(
    "B sees a deadline no later than A's remaining one and the normalised priority",
    () =>
      Effect.gen(function*() {
        const serviceA = uniqueClient("svc-a")
        const caller = uniqueClient("caller")
        const urlB = yield* serve(route("/seen", seen))
        const clients = {
          high: yield* clientOf(urlB, serviceA, "high"),
          normal: yield* clientOf(urlB, serviceA, "normal"),
          low: yield* clientOf(urlB, serviceA, "low")
        }
        const handlerA = Effect.gen(function*() {
          const requested = (yield* pathParam("requested")) as Priority.Priority
          const deadline = Option.getOrThrow(yield* Deadline.CurrentDeadline)
          const remainingA = Duration.toMillis(yield* Deadline.remaining(deadline))
          const response = yield* clients[requested].execute(HttpRequest.get("seen"))
          const b = (yield* response.json) as unknown as Seen
          return jsonResponse({ remainingA, b })
        }).pipe(Effect.scoped, Effect.orDie)
        const urlA = yield* serve(route("/call/:requested", handlerA))

        const cases: ReadonlyArray<readonly [inherited: Priority.Priority, requested: Priority.Priority]> = [
          ["low", "high"],
          ["high", "low"],
          ["high", "high"],
          ["low", "low"],
          ["normal", "low"]
        ]
        for (const [inherited, requested] of cases) {
          const { status, text } = yield* get(`${urlA}/call/${requested}`, {
            "x-request-timeout": "2",
            "x-request-priority": inherited,
            "x-service-name": caller
          })
          assert.strictEqual(status, 200)
          const { b, remainingA } = JSON.parse(text) as { remainingA: number; b: Seen }
          assert.isTrue(remainingA <= 2000, String(remainingA))
          assert.isTrue(
            b.remainingMillis! <= remainingA && b.remainingMillis! > 0,
            `${b.remainingMillis} > ${remainingA}`
          )
          assert.strictEqual(
            b.priority,
            Priority.normalize(requested, Option.some(inherited)),
            `${inherited}/${requested}`
          )
        }
        yield* awaitServerCount({ client: caller, method: "GET", path: "/call/:requested", status: 200 }, cases.length)
        yield* awaitServerCount({ client: serviceA, method: "GET", path: "/seen", status: 200 }, cases.length)
      })
  )

  scopedLive("a client disconnect from A interrupts A's call to B (and B's handler)", () =>
    Effect.gen(function*() {
      const serviceA = uniqueClient("svc-a")
      const caller = uniqueClient("caller")
      const bStarted = yield* Deferred.make<void>()
      const bInterrupted = yield* Deferred.make<void>()
      const aCallInterrupted = yield* Deferred.make<void>()
      const handlerB = Effect.andThen(Deferred.succeed(bStarted, void 0), Effect.sleep("10 seconds")).pipe(
        Effect.onInterrupt(() => Deferred.succeed(bInterrupted, void 0)),
        Effect.as(HttpServerResponse.empty())
      )
      const urlB = yield* serve(route("/slow", handlerB))
      const clientB = yield* clientOf(urlB, serviceA)
      const handlerA = clientB.execute(HttpRequest.get("slow")).pipe(
        Effect.onInterrupt(() => Deferred.succeed(aCallInterrupted, void 0)),
        Effect.as(HttpServerResponse.empty()),
        Effect.scoped,
        Effect.orDie
      )
      const urlA = yield* serve(route("/call", handlerA))

      const request = yield* fork(get(`${urlA}/call`, { "x-service-name": caller }))
      yield* Deferred.await(bStarted)
      yield* Fiber.interrupt(request)
      yield* Deferred.await(aCallInterrupted)
      yield* Deferred.await(bInterrupted)
      yield* awaitServerCount({ client: caller, method: "GET", path: "/call", status: 499 }, 1)
      yield* awaitServerCount({ client: serviceA, method: "GET", path: "/slow", status: 499 }, 1)
    }))

  scopedLive(
    "A's deadline runs out while it waits for B: A answers 408 and the call to B is interrupted",
    () =>
      Effect.gen(function*() {
        const serviceA = uniqueClient("svc-a")
        const bInterrupted = yield* Deferred.make<void>()
        const handlerB = Effect.sleep("10 seconds").pipe(
          Effect.onInterrupt(() => Deferred.succeed(bInterrupted, void 0)),
          Effect.as(HttpServerResponse.empty())
        )
        const urlB = yield* serve(route("/slow", handlerB))
        const clientB = yield* clientOf(urlB, serviceA)
        const handlerA = clientB.execute(HttpRequest.get("slow")).pipe(
          Effect.as(HttpServerResponse.empty()),
          Effect.scoped,
          Effect.orDie
        )
        const urlA = yield* serve(route("/call", handlerA), { cancelOnTimeout: true })
        const { status } = yield* get(`${urlA}/call`, { "x-request-timeout": "0.3" })
        assert.strictEqual(status, 408)
        yield* Deferred.await(bInterrupted)
      })
  )
})
