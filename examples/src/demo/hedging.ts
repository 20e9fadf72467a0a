/**
 * Scene "hedging": one long-tail upstream, three strategies, the same load.
 *
 * The upstream (behind `ServerMiddleware` with `cancelOnTimeout`) answers 98%
 * of its calls in 5-15 ms and 2% in 1-3 s. A resilient client sends the same
 * requests with `Strategy.single`, `Strategy.sequential` (the deadline split
 * between attempts, so a stuck attempt is cut and retried) and
 * `Strategy.parallel` (hedging), under a 1 s deadline.
 *
 * The figures are counted on both sides, and each says what it counts: the
 * client counts the extra attempts it sends (hedges and retries, including
 * hedges that lost and were cancelled), the upstream counts the attempts that
 * reached its handler, and both record each attempt's outcome.
 */
import { Deadline, Delays, Strategy } from "@aio-request/line/core"
import {
  Clock,
  Console,
  Effect,
  Exit,
  get,
  json,
  pathParam,
  Random,
  randomBetween,
  serve
} from "@aio-request/line/demo"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { cell, counts, delta, percentile, range, type Scene } from "./shared.js"

const strategies: ReadonlyArray<readonly [string, Strategy.Strategy]> = [
  ["single", Strategy.single],
  [
    "sequential (3, split deadline)",
    Strategy.sequential({ attempts: 3, delays: Delays.constant(0), attemptDeadline: Deadline.splitBetweenAttempts() })
  ],
  ["parallel (3, hedge at 50/100 ms)", Strategy.parallel({ attempts: 3, delays: Delays.constant("50 millis") })]
]

const client = "demo-hedging"

export const scene: Scene = {
  name: "hedging",
  title: "Hedging on the long tail",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const requests = quick ? 50 : 400
      const concurrency = 4
      const upstream = get(
        "/items/:id",
        Effect.gen(function*() {
          const slow = (yield* Random.next) < 0.02
          yield* Effect.sleep(`${slow ? yield* randomBetween(1000, 3000) : yield* randomBetween(5, 15)} millis`)
          return json({ id: yield* pathParam("id") })
        })
      )
      const endpoint = yield* serve([upstream], { cancelOnTimeout: true })
      const http = yield* ResilientHttpClient.make({ endpoint, serviceName: client, timeout: "1 second" })

      yield* Console.log(
        `${requests} GET requests per strategy, ${concurrency} at a time, deadline 1 s;` +
          ` upstream: 98% 5-15 ms, 2% 1-3 s`
      )
      yield* Console.log(`${"strategy".padEnd(32)}  p50 ms  p99 ms  max ms  failed  extra attempts`)
      const figures: Record<string, number> = {}
      const ends: Array<string> = []
      let agree = true
      const notes: Array<string> = []
      for (const [name, strategy] of strategies) {
        const before = yield* counts
        const one = (id: number) =>
          Effect.gen(function*() {
            const start = yield* Clock.currentTimeMillis
            const exit = yield* http.execute(HttpRequest.get("/items/{id}", { path: { id } })).pipe(
              Effect.flatMap((response) => response.json),
              Strategy.withStrategy(strategy),
              Effect.exit
            )
            return { elapsed: (yield* Clock.currentTimeMillis) - start, ok: Exit.isSuccess(exit) }
          })
        const results = yield* Effect.forEach(range(requests), one, { concurrency })
        // the upstream records a cancelled attempt when it notices the caller left
        yield* Effect.sleep("200 millis")
        const d = delta(before, yield* counts)
        const sorted = results.map((r) => r.elapsed).sort((a, b) => a - b)
        const failed = results.filter((r) => !r.ok).length
        const failed408 = d.get("aio_request_latency", { response_status: "408" })
        const extra = d.get("aio_request_hedges") + d.get("aio_request_retries")
        yield* Console.log(
          `${name.padEnd(32)} ${cell(percentile(sorted, 0.5), 7)} ${cell(percentile(sorted, 0.99), 7)}` +
            ` ${cell(sorted[sorted.length - 1] ?? 0, 7)} ${cell(failed, 7)} ${cell(extra, 15)}`
        )
        const sent = d.get("aio_request_attempts")
        const arrived = d.get("aio_request_server_latency", { request_client: client })
        const attempt = (status: string) => d.get("aio_request_transport_latency", { response_status: status })
        const upstream = (status: string) =>
          d.get("aio_request_server_latency", { request_client: client, response_status: status })
        ends.push(
          `${name.padEnd(32)} ${cell(sent, 7)} ${cell(attempt("200"), 9)} ${cell(attempt("408"), 4)}` +
            ` ${cell(attempt("499"), 10)} | ${cell(arrived, 7)} ${cell(upstream("200"), 5)}` +
            ` ${cell(upstream("408"), 4)} ${cell(upstream("499"), 4)} | ${cell(sent - arrived, 13)}`
        )
        // every attempt started ends once at the client; at the upstream, if it arrived
        // a body still arriving at the deadline fails the request after its status (a 200) was recorded
        if (failed408 !== failed) {
          notes.push(`${name}: ${failed - failed408} failed reading the body, recorded as ${failed408} × 408 + 200s`)
        }
        agree &&= sent === requests + extra &&
          attempt("408") + attempt("499") ===
            sent - arrived + upstream("408") + upstream("499") + upstream("200") - attempt("200")
        const key = name.split(" ")[0]!
        figures[`${key}.p99`] = percentile(sorted, 0.99)
        figures[`${key}.failed`] = failed
        figures[`${key}.failed408`] = failed408
        figures[`${key}.extra`] = extra
        figures[`${key}.sent`] = sent
        figures[`${key}.arrived`] = arrived
      }
      yield* Console.log(
        `\n${
          "each attempt, seen at both ends".padEnd(32)
        } started  answered  cut  cancelled | arrived   200  408  499` +
          ` | never arrived`
      )
      yield* Console.log(ends.join("\n"))
      yield* Console.log(
        [
          `failed: requests that ended in DeadlineExceededError, one per request (aio_request_latency_count, 408)`,
          ...notes,
          `extra attempts: hedges and retries started, those that lost included (aio_request_hedges_total + retries)`,
          `started (client, aio_request_attempts_total) = requests + extra attempts; arrived: what the upstream`,
          `  recorded (aio_request_server_latency_count); never arrived: hedges that lost before their request was sent`,
          `cut: attempts the client stopped at their deadline (408 there); the upstream, whose deadline`,
          `  (X-Request-Timeout) ends at the same moment, answers 408 or sees the caller leave (499) first`,
          `cancelled: hedges that lost (499 at the client); a 200 at the upstream if it had already answered`,
          `cut + cancelled = never arrived + upstream 408 + 499 + (upstream 200 - answered): ${
            agree ? "adds up" : "DOES NOT ADD UP"
          }`
        ].join("\n")
      )
      figures.agree = agree ? 1 : 0
      return figures
    }).pipe(Effect.scoped)
}
