/**
 * The long-tailed backend of the Tail at Scale benchmark, meant to run in its
 * own process (so the client's CPU does not slow it): plain `node:http` on
 * 127.0.0.1, an ephemeral port printed as `PORT <n>` on stdout.
 *
 * Each request draws its own latency: with probability `SLOW_SHARE` (2%)
 * uniform in 1–2 s, otherwise uniform in 2–10 ms, then answers `ok`. It counts
 * the requests that arrive (every attempt the client sends, hedges included),
 * the ones the client abandoned before the answer, and, by the id in the path
 * (`/items/<id>`), how many distinct requests arrived and how many of them drew
 * slow on their first attempt (the floor of the extra requests any policy that
 * rescues them all must send).
 *
 * Control routes, not counted: `GET /stats` (counts since the last reset, and
 * percentiles of the latencies drawn), `GET /trace` (every attempt since the
 * last reset: id, arrival, latency drawn) and `POST /reset`.
 *
 * npx tsx bench/support/backend.ts
 */
import { createServer } from "node:http"
import { performance } from "node:perf_hooks"

export const SLOW_SHARE = 0.02
export const FAST_MS: readonly [number, number] = [2, 10]
export const SLOW_MS: readonly [number, number] = [1000, 2000]

/** The `p` quantile of the latency drawn per request, from the distribution itself. */
export const drawnQuantile = (p: number): number =>
  p <= 1 - SLOW_SHARE
    ? FAST_MS[0] + (FAST_MS[1] - FAST_MS[0]) * (p / (1 - SLOW_SHARE))
    : SLOW_MS[0] + (SLOW_MS[1] - SLOW_MS[0]) * ((p - (1 - SLOW_SHARE)) / SLOW_SHARE)

/** The `p` quantile of ascending `sorted` (nearest rank); NaN when it is empty. */
export const quantile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

/**
 * One attempt as the backend saw it (`GET /trace`): the request id, its arrival (epoch ms, from
 * `performance.timeOrigin`, comparable with the client's to a fraction of a millisecond on one
 * machine), the latency drawn.
 */
export interface Arrival {
  readonly id: number
  readonly at: number
  readonly drawn: number
}

export interface Stats {
  readonly arrived: number
  /** Distinct request ids (`/items/<id>`) that arrived, and how many of them drew slow on their first arrival. */
  readonly requests: number
  readonly slowFirst: number
  readonly answered: number
  readonly abandoned: number
  readonly drawn: { readonly p50: number; readonly p95: number; readonly p99: number; readonly p999: number }
}

const main = () => {
  let arrived = 0
  let answered = 0
  let abandoned = 0
  let drawn: Array<number> = []
  let arrivals: Array<Arrival> = []
  let seen = new Set<number>()
  let slowFirst = 0

  const server = createServer((req, res) => {
    if (req.url === "/stats") {
      const sorted = drawn.slice().sort((a, b) => a - b)
      const stats: Stats = {
        arrived,
        requests: seen.size,
        slowFirst,
        answered,
        abandoned,
        drawn: {
          p50: quantile(sorted, 0.5),
          p95: quantile(sorted, 0.95),
          p99: quantile(sorted, 0.99),
          p999: quantile(sorted, 0.999)
        }
      }
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify(stats))
      return
    }
    if (req.url === "/trace") {
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify(arrivals))
      return
    }
    if (req.url === "/reset") {
      arrived = answered = abandoned = 0
      drawn = []
      arrivals = []
      seen = new Set()
      slowFirst = 0
      res.end("reset")
      return
    }
    arrived++
    const slow = Math.random() < SLOW_SHARE
    const [low, high] = slow ? SLOW_MS : FAST_MS
    const delay = low + (high - low) * Math.random()
    drawn.push(delay)
    const id = Number(/\/items\/(\d+)/.exec(req.url ?? "")?.[1] ?? -1)
    if (!seen.has(id)) {
      seen.add(id)
      if (slow) slowFirst++
    }
    arrivals.push({ id, at: performance.timeOrigin + performance.now(), drawn: delay })
    const timer = setTimeout(() => {
      answered++
      res.end("ok")
    }, delay)
    res.on("close", () => {
      if (!res.writableFinished) {
        clearTimeout(timer)
        abandoned++
      }
    })
  })
  server.keepAliveTimeout = 60_000
  server.headersTimeout = 61_000
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("expected a TCP address")
    console.log(`PORT ${address.port}`)
  })
  // the parent ends us by closing our stdin (or by a signal)
  process.stdin.resume()
  process.stdin.on("end", () => process.exit(0))
}

if (process.argv[1]?.endsWith("backend.ts") === true) main()
