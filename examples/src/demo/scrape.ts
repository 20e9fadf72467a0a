/**
 * Scene "scrape": what Prometheus reads.
 *
 * `Observability.layerPrometheus` serves every metric the library records.
 * This scene sends 40 hedged requests of its own (upstream: 90% 5 ms, 10%
 * 300 ms), scrapes the endpoint over HTTP, and prints the lines of its client
 * and upstream, plus the breaker transitions and the shed requests the earlier
 * scenes recorded (when they ran in the same process).
 */
import { Delays, Strategy } from "@aio-request/line/core"
import { Console, Effect, get, HttpClient, Observability, Random, serve, text } from "@aio-request/line/demo"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { counts, delta, range, type Scene } from "./shared.js"

export const scene: Scene = {
  name: "scrape",
  title: "The Prometheus scrape",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const requests = quick ? 20 : 40
      const endpoint = yield* serve(
        [get(
          "/users/:id",
          Effect.gen(function*() {
            yield* Effect.sleep((yield* Random.next) < 0.1 ? "300 millis" : "5 millis")
            return text("ok")
          })
        )],
        {}
      )
      const client = yield* ResilientHttpClient.make({
        endpoint,
        serviceName: "demo-scrape",
        strategy: Strategy.parallel({ attempts: 2, delays: Delays.constant("50 millis") })
      })
      const before = yield* counts
      yield* Effect.forEach(
        range(requests),
        (id) => Effect.flatMap(client.execute(HttpRequest.get("/users/{id}", { path: { id } })), (r) => r.text),
        { concurrency: 4, discard: true }
      )
      yield* Effect.sleep("50 millis") // the upstream records the hedges that lost
      const d = delta(before, yield* counts)
      const started = d.get("aio_request_attempts")
      const hedges = d.get("aio_request_hedges")
      const recorded = d.get("aio_request_server_latency", { request_client: "demo-scrape" })

      const { url } = yield* Observability.PrometheusEndpoint
      const scraped = yield* HttpClient.get(url).pipe(Effect.flatMap((response) => response.text))
      const port = new URL(endpoint).port
      const lines = scraped.split("\n").filter((line) =>
        (/^aio_request_(latency_count|attempts_total|hedges_total)\{/.test(line) && line.includes(`:${port}/"`)) ||
        (/^aio_request_server_latency_count\{/.test(line) && line.includes(`request_client="demo-scrape"`)) ||
        /^aio_request_(circuit_breaker_transitions_total|server_shed_total)\{/.test(line)
      )
      yield* Console.log(`${requests} hedged GET /users/{id} (2 attempts, hedge at 50 ms); from ${url}:`)
      yield* Console.log(lines.join("\n"))
      yield* Console.log(
        `latency_count: requests by final status; attempts_total: attempts started, ${started} = ${requests} requests` +
          ` + ${hedges} hedges (those that lost included);\nserver_latency_count: attempts the upstream recorded,` +
          ` ${recorded} (499: the caller left, a hedge that lost); ${
            started - recorded
          } hedges lost before they were sent`
      )
      return { lines: lines.length, started, hedges, recorded, requests }
    }).pipe(Effect.scoped)
}
