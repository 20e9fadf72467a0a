/**
 * Scene "shedding": priority load shedding at twice the capacity.
 *
 * The upstream (behind `ServerMiddleware` with a `concurrencyLimit` of 6
 * requests in flight) takes 150 ms per request: 40 requests a second. Callers
 * send 80 a second, a third each of high, normal and low priority
 * (`X-Request-Priority`), and do not back off. With the default
 * shares, high may use all 6 places, normal 5 and low 3: low is shed first,
 * high last. A shed request is answered 503 at once, without running the
 * handler.
 */
import { ConcurrencyLimit, type Priority } from "@aio-request/line/core"
import {
  Clock,
  Console,
  Effect,
  Exit,
  fork,
  get,
  HttpClient,
  joinAll,
  type RunningFiber,
  serve,
  text
} from "@aio-request/line/demo"
import { Headers } from "@aio-request/line/platform"
import { cell, counts, delta, percentile, type Scene, stopwatch } from "./shared.js"

const priorities: ReadonlyArray<Priority.Priority> = ["high", "normal", "low"]

export const scene: Scene = {
  name: "shedding",
  title: "Priority load shedding at 2× capacity",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const seconds = quick ? 1 : 3
      const limit = 6
      const concurrencyLimit = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(limit) })
      const endpoint = yield* serve([get("/search", Effect.as(Effect.sleep("150 millis"), text("ok")))], {
        concurrencyLimit
      })
      // plain callers, one attempt each, that do not back off when shed (a resilient client would obey the
      // 503's Retry-After): what an overloaded service faces
      const client = yield* HttpClient.HttpClient
      yield* Console.log(
        `upstream: ${limit} in flight × 150 ms = 40 requests/s; callers send 80/s for ${seconds} s,` +
          ` a third each of high, normal and low`
      )

      const results: Record<Priority.Priority, Array<{ status: number; took: number }>> = {
        high: [],
        normal: [],
        low: []
      }
      const one = (priority: Priority.Priority) =>
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          const exit = yield* client.get(`${endpoint}/search`, { headers: { [Headers.RequestPriority]: priority } })
            .pipe(
              Effect.tap((response) => response.text),
              Effect.timeout("5 seconds"),
              Effect.exit
            )
          const took = (yield* Clock.currentTimeMillis) - start
          results[priority].push({ status: Exit.isSuccess(exit) ? exit.value.status : 0, took })
        })
      const before = yield* counts
      const elapsed = yield* stopwatch
      // open loop: three requests (one per priority) every 37.5 ms, whatever the answers
      const inFlight: Array<RunningFiber<void>> = []
      while ((yield* elapsed) < seconds * 1000) {
        const due = Math.floor((yield* elapsed) / 37.5) + 1
        while (inFlight.length < due) {
          inFlight.push(yield* fork(Effect.forEach(priorities, one, { discard: true, concurrency: 3 })))
        }
        yield* Effect.sleep("5 millis")
      }
      yield* joinAll(inFlight) // every request sent has its answer (or failed)
      const d = delta(before, yield* counts)

      yield* Console.log(
        "priority    sent  served  shed (503)  failed  shed %  served p99 ms  shed p99 ms  shed at server"
      )
      const figures: Record<string, number> = {}
      for (const priority of priorities) {
        const all = results[priority]
        const served = all.filter((r) => r.status === 200)
        const shed = all.filter((r) => r.status === 503)
        const failed = all.length - served.length - shed.length
        const p99 = (rs: typeof all) => percentile(rs.map((r) => r.took).sort((a, b) => a - b), 0.99)
        const serverShed = d.get("aio_request_server_shed", { request_priority: priority })
        yield* Console.log(
          `${priority.padEnd(8)} ${cell(all.length, 7)} ${cell(served.length, 7)} ${cell(shed.length, 11)} ${
            cell(failed, 7)
          }` +
            ` ${cell(`${Math.round((100 * shed.length) / Math.max(1, all.length))}%`, 7)} ${cell(p99(served), 14)}` +
            ` ${cell(p99(shed), 12)} ${cell(serverShed, 15)}`
        )
        figures[`${priority}.sent`] = all.length
        figures[`${priority}.served`] = served.length
        figures[`${priority}.shed`] = shed.length
        figures[`${priority}.serverShed`] = serverShed
      }
      yield* Console.log(
        `shed (503): answers the callers got; shed at server: aio_request_server_shed_total{request_priority};` +
          `\nfailed: no answer within 5 s; sent = served + shed + failed`
      )
      return figures
    }).pipe(Effect.scoped)
}
