/**
 * Scene "overload": the overload scenario end to end, short (issue 20; the
 * full run is `pnpm bench --only overload-chain`, `examples/bench/overload-chain.ts`).
 *
 * A front service calls an upstream with a limit (`ServerMiddleware` with an
 * AIMD `concurrencyLimit`, 5 requests/s) through a `ResilientHttpClient`
 * that retries; callers send the front 20% high, 30% normal and 50% low, at
 * 0.5× the upstream's capacity, then at 2×. The same scenario runs in two
 * modes of the front's client: "baseline" (pushback off, no client limit)
 * and "protected" (pushback on, a client-side `concurrencyLimit`, see
 * `modeOptions`). Per priority: goodput, p99 at the front, shed %, and the
 * front's attempts answered 503 (wasted).
 */
import { Console, Effect } from "@aio-request/line/demo"
import { clientLimit, defaults, priorities } from "../overload/chain.js"
import { printTable, runBoth } from "../overload/run.js"
import type { Scene } from "./shared.js"

export const scene: Scene = {
  name: "overload",
  title: "Overload end to end: front → upstream at 2×, baseline against protected",
  run: ({ quick }) =>
    Effect.gen(function*() {
      const plan = quick ? { warmUp: 0.5, unloaded: 1, overload: 2 } : { warmUp: 1, unloaded: 2, overload: 4 }
      const results = yield* runBoth(defaults, plan)
      const verdicts = yield* printTable(defaults, plan, results)
      const shares = clientLimit(defaults).shares!
      const at = (share: number) => Math.floor(2 * defaults.capacity * share + 1e-9)
      yield* Console.log(
        `baseline: each shed attempt is retried (3 attempts) whatever its Retry-After; most of low's attempts` +
          ` are 503s.\nprotected: the upstream's 503 says Retry-After ${defaults.shedRetryAfter / 1000} s, as long as` +
          ` the deadline, so pushback ends the call at once (no retry); the client's own limit admits normal` +
          ` below ${at(shares.normal!)} attempts in flight, low below ${at(shares.low!)} and high below` +
          ` ${2 * defaults.capacity},\nso the upstream stays near its capacity of ${defaults.capacity}: low and` +
          ` part of normal are refused at the front with nothing sent, high is never refused and keeps its` +
          ` unloaded latency.`
      )
      const figures: Record<string, number> = {
        wastedRatio: verdicts.wastedRatio,
        highP99Ratio: verdicts.highP99Ratio,
        highShedPct: verdicts.highShedPct,
        wired: results[1].wired ? 1 : 0
      }
      for (const r of results) {
        for (const phase of ["unloaded", "overload"] as const) {
          for (const pr of priorities) {
            const row = r[phase][pr]
            for (const key of ["sent", "ok", "shed", "other", "attempts", "wasted"] as const) {
              figures[`${r.mode}.${phase}.${pr}.${key}`] = row[key]
            }
          }
        }
      }
      return figures
    })
}
