/**
 * Scene "deadline": a deadline shrinking across two services.
 *
 * The caller gives each request 1 s. The front service (behind
 * `ServerMiddleware`) reads that from `X-Request-Timeout`, works for a while,
 * then calls the upstream through a `ResilientHttpClient` with no timeout of
 * its own: the call inherits what is left of the deadline, and the upstream
 * (behind `ServerMiddleware` too) reports the `X-Request-Timeout` it received
 * and the deadline it runs under. When too little is left, the front's call
 * fails at once with `DeadlineExceededError` and the upstream is not called.
 */
import { Deadline, Strategy } from "@aio-request/core"
import { Headers, HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Clock, Console, Duration, Effect, Exit, Option, Queue, Ref } from "effect"
import { cell, type Scene, serve } from "./shared.js"

/** What is left of the deadline the handler runs under, in whole milliseconds (-1: none). */
const remainingMillis = Effect.flatMap(
  Deadline.CurrentDeadline,
  Option.match({
    onNone: () => Effect.succeed(-1),
    onSome: (deadline) => Effect.map(Deadline.remaining(deadline), (left) => Math.round(Duration.toMillis(left)))
  })
)

const timeoutHeader = Effect.map(
  HttpServerRequest.HttpServerRequest,
  (request) => request.headers[Headers.RequestTimeout] ?? "none"
)

interface Seen {
  readonly header: string
  readonly remaining: number
}

const failureTag = (cause: Cause.Cause<{ readonly _tag: string }>) =>
  Option.match(Cause.failureOption(cause), { onNone: () => "interrupted", onSome: (error) => error._tag })

/** "0.899 s sent, 899 ms left" */
const show = (seen: Seen) => `${seen.header} s sent, ${cell(seen.remaining, 4)} ms left`

export const scene: Scene = {
  name: "deadline",
  title: "A deadline shrinking across two services",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const upstreamCalls = yield* Ref.make(0)
      const upstream = yield* serve(
        HttpRouter.empty.pipe(HttpRouter.get(
          "/stock",
          Effect.gen(function*() {
            yield* Ref.update(upstreamCalls, (n) => n + 1)
            return HttpServerResponse.unsafeJson({ header: yield* timeoutHeader, remaining: yield* remainingMillis })
          })
        )),
        ServerMiddleware.make()
      )
      // no timeout: the front's calls inherit the deadline of the request it serves
      const toUpstream = yield* ResilientHttpClient.make({ endpoint: upstream, serviceName: "front" })

      // what the front saw and what its call upstream gave, one per request
      const reports = yield* Queue.unbounded<{ front: Seen; upstream: Seen | string }>()
      const front = yield* serve(
        HttpRouter.empty.pipe(HttpRouter.get(
          "/order",
          Effect.gen(function*() {
            const seen: Seen = { header: yield* timeoutHeader, remaining: yield* remainingMillis }
            const work = Number((yield* HttpServerRequest.ParsedSearchParams).work)
            const got = yield* Effect.sleep(Duration.millis(work)).pipe(
              Effect.zipRight(toUpstream.execute(HttpRequest.get("/stock"))),
              Effect.flatMap((response) => response.json),
              Effect.map((body): Seen | string => body as Seen),
              Effect.catchAll((error) => Effect.succeed(`not called: ${error._tag}`)),
              // the caller gives up at its deadline: the front's handler is interrupted then
              Effect.onInterrupt(() => Queue.offer(reports, { front: seen, upstream: "not called: caller left" }))
            )
            yield* Queue.offer(reports, { front: seen, upstream: got })
            return HttpServerResponse.unsafeJson(got)
          })
        )),
        ServerMiddleware.make()
      )
      const caller = yield* ResilientHttpClient.make({
        endpoint: front,
        serviceName: "caller",
        timeout: "1 second",
        strategy: Strategy.single
      })

      const works = quick ? [100, 1100] : [100, 400, 800, 1100]
      yield* Console.log("the caller gives each request 1 s; the front works, then calls the upstream")
      yield* Console.log(
        `front works  ${"front received".padEnd(26)}  ${"upstream received".padEnd(26)}  caller got`
      )
      for (const work of works) {
        const start = yield* Clock.currentTimeMillis
        const exit = yield* caller.execute(HttpRequest.get("/order", { query: { work } })).pipe(
          Effect.flatMap((response) => response.text),
          Effect.exit
        )
        const took = (yield* Clock.currentTimeMillis) - start
        const report = yield* Queue.take(reports).pipe(
          Effect.timeoutTo({
            duration: "2 seconds",
            onTimeout: () => ({ front: { header: "?", remaining: -1 }, upstream: "no report" }),
            onSuccess: (r) => r
          })
        )
        yield* Console.log(
          `${cell(work, 8)} ms  ${show(report.front)}  ${
            (typeof report.upstream === "string" ? report.upstream : show(report.upstream)).padEnd(26)
          }  ${
            Exit.isSuccess(exit) ? "200" : Exit.match(exit, { onFailure: failureTag, onSuccess: () => "" })
          } after ${took} ms`
        )
      }
      const calls = yield* Ref.get(upstreamCalls)
      yield* Console.log(
        `the upstream was called ${calls} times for ${works.length} requests: none once the deadline had passed`
      )
      return { requests: works.length, upstreamCalls: calls }
    }).pipe(Effect.scoped)
}
