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
import { Deadline, Strategy } from "@aio-request/line/core"
import {
  catchAll,
  type Cause,
  Clock,
  Console,
  Duration,
  Effect,
  Exit,
  failureOption,
  get,
  json,
  Option,
  queryParam,
  Queue,
  Ref,
  requestHeader,
  serve
} from "@aio-request/line/demo"
import { Headers, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { cell, type Scene } from "./shared.js"

/** What is left of the deadline the handler runs under, in whole milliseconds (-1: none). */
const remainingMillis = Effect.gen(function*() {
  const deadline = yield* Deadline.CurrentDeadline
  return Option.isNone(deadline) ? -1 : Math.round(Duration.toMillis(yield* Deadline.remaining(deadline.value)))
})

const timeoutHeader = Effect.map(requestHeader(Headers.RequestTimeout), (value) => value ?? "none")

interface Seen {
  readonly header: string
  readonly remaining: number
}

const failureTag = (cause: Cause.Cause<{ readonly _tag: string }>) =>
  Option.match(failureOption(cause), { onNone: () => "interrupted", onSome: (error) => error._tag })

/** "0.899 s sent, 899 ms left" */
const show = (seen: Seen) => `${seen.header} s sent, ${cell(seen.remaining, 4)} ms left`

export const scene: Scene = {
  name: "deadline",
  title: "A deadline shrinking across two services",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const upstreamCalls = yield* Ref.make(0)
      const upstream = yield* serve(
        [get(
          "/stock",
          Effect.gen(function*() {
            yield* Ref.update(upstreamCalls, (n) => n + 1)
            return json({ header: yield* timeoutHeader, remaining: yield* remainingMillis })
          })
        )],
        {}
      )
      // no timeout: the front's calls inherit the deadline of the request it serves
      const toUpstream = yield* ResilientHttpClient.make({ endpoint: upstream, serviceName: "front" })

      // what the front saw and what its call upstream gave, one per request
      const reports = yield* Queue.unbounded<{ front: Seen; upstream: Seen | string }>()
      const front = yield* serve(
        [get(
          "/order",
          Effect.gen(function*() {
            const seen: Seen = { header: yield* timeoutHeader, remaining: yield* remainingMillis }
            const work = Number(yield* queryParam("work"))
            const got = yield* Effect.sleep(Duration.millis(work)).pipe(
              Effect.andThen(toUpstream.execute(HttpRequest.get("/stock"))),
              Effect.flatMap((response) => response.json),
              Effect.map((body: unknown): Seen | string => body as Seen),
              catchAll((error) => Effect.succeed(`not called: ${error._tag}`)),
              // the caller gives up at its deadline: the front's handler is interrupted then
              Effect.onInterrupt(() =>
                Effect.asVoid(Queue.offer(reports, { front: seen, upstream: "not called: caller left" }))
              )
            )
            yield* Queue.offer(reports, { front: seen, upstream: got })
            return json(got)
          })
        )],
        {}
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
          Effect.timeoutOption("2 seconds"),
          Effect.map(Option.getOrElse(() => ({ front: { header: "?", remaining: -1 }, upstream: "no report" })))
        )
        yield* Console.log(
          `${cell(work, 8)} ms  ${show(report.front)}  ${
            (typeof report.upstream === "string" ? report.upstream : show(report.upstream)).padEnd(26)
          }  ${Exit.isSuccess(exit) ? "200" : failureTag(exit.cause)} after ${took} ms`
        )
      }
      const calls = yield* Ref.get(upstreamCalls)
      yield* Console.log(
        `the upstream was called ${calls} times for ${works.length} requests: none once the deadline had passed`
      )
      return { requests: works.length, upstreamCalls: calls }
    }).pipe(Effect.scoped)
}
