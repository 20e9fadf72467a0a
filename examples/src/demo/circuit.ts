/**
 * Scene "circuit": a circuit opening, failing fast, half-opening and closing.
 *
 * The upstream answers 503 (in 20 ms) for its first second, then 200. A
 * client with a `CircuitBreaker` (scope: the endpoint) sends a request every
 * 25 ms. The breaker's state changes are printed as they happen, from its
 * `changes` stream; then how many requests reached the upstream and how
 * quickly the others failed.
 */
import { CircuitBreaker, Strategy } from "@aio-request/line/core"
import {
  Clock,
  Console,
  Effect,
  Exit,
  failureOption,
  forkScoped,
  get,
  Option,
  Ref,
  serve,
  status,
  Stream,
  text
} from "@aio-request/line/demo"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { cell, percentile, type Scene, stopwatch } from "./shared.js"

export const scene: Scene = {
  name: "circuit",
  title: "A circuit opening, failing fast, half-opening and closing",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const failFor = quick ? 400 : 1000
      const runFor = quick ? 1200 : 2500
      const breakDuration = quick ? 150 : 300
      const elapsed = yield* stopwatch
      const upstreamCalls = yield* Ref.make(0)
      const endpoint = yield* serve([get(
        "/price",
        Effect.gen(function*() {
          yield* Ref.update(upstreamCalls, (n) => n + 1)
          yield* Effect.sleep("20 millis")
          return (yield* elapsed) < failFor ? status(503) : text("ok")
        })
      )])
      const breaker = yield* CircuitBreaker.make({
        breakDuration: `${breakDuration} millis`,
        samplingDuration: "1 second",
        minimumThroughput: 5,
        failureThreshold: 0.5
      })
      const client = yield* ResilientHttpClient.make({
        endpoint,
        circuitBreaker: breaker,
        strategy: Strategy.single,
        timeout: "500 millis"
      })
      yield* Console.log(
        `upstream: 503 for ${failFor} ms, then 200; a request every 25 ms for ${runFor} ms;` +
          ` opens at ≥ 50% failures of ≥ 5, break ${breakDuration} ms`
      )
      const transitions = yield* Ref.make(0)
      yield* breaker.changes.pipe(
        Stream.runForEach((change) =>
          Effect.gen(function*() {
            yield* Ref.update(transitions, (n) => n + 1)
            yield* Console.log(`${cell(yield* elapsed, 6)} ms  ${change.from} → ${change.to}`)
          })
        ),
        forkScoped
      )
      yield* Effect.sleep("10 millis") // the subscriber starts

      type Result = "200" | "503" | "open" | "other"
      const results: Array<{ result: Result; took: number }> = []
      const one = Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const exit = yield* Effect.exit(client.execute(HttpRequest.get("/price")))
        const took = (yield* Clock.currentTimeMillis) - start
        const result: Result = Exit.isSuccess(exit)
          ? (exit.value.status === 200 ? "200" : exit.value.status === 503 ? "503" : "other")
          : Option.exists(failureOption(exit.cause), (e) => e._tag === "CircuitBreakerOpenError")
          ? "open"
          : "other"
        results.push({ result, took })
      })
      while ((yield* elapsed) < runFor) {
        yield* forkScoped(one)
        yield* Effect.sleep("25 millis")
      }
      yield* Effect.sleep("100 millis") // the last requests end

      const count = (result: Result) => results.filter((r) => r.result === result).length
      const fast = results.filter((r) => r.result === "open").map((r) => r.took).sort((a, b) => a - b)
      const calls = yield* Ref.get(upstreamCalls)
      yield* Console.log(
        `${results.length} requests: ${count("200")} × 200, ${count("503")} × 503, ${count("open")} failed fast` +
          ` (CircuitBreakerOpenError, p50 ${percentile(fast, 0.5)} ms, max ${fast[fast.length - 1] ?? 0} ms` +
          ` against 20 ms for a call); upstream calls: ${calls}`
      )
      return {
        requests: results.length,
        ok: count("200"),
        failedFast: count("open"),
        upstreamCalls: calls,
        transitions: yield* Ref.get(transitions)
      }
    }).pipe(Effect.scoped)
}
