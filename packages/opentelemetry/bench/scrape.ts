/**
 * What a Prometheus scrape costs, side by side with prom-client serialising
 * the same series (histograms with the seed's 20 buckets and the server
 * metric's four labels), and how long a scrape holds the event loop.
 *
 * 1. Serialising N label sets to the bytes a scrape sends, in process: our
 *    writer (from Effect's metric registry, in one slice) against
 *    prom-client's `register.metrics()` encoded to UTF-8, best of 5, ms per
 *    1,000 label sets.
 * 2. The longest event-loop stall during a scrape of N label sets, each size
 *    and way in a child process of its own (the metric registry is global to
 *    a process: a child holds exactly the N label sets its row names):
 *    - `in process`: the sliced writer into a sink that drops the text, no
 *      socket, no scraper;
 *    - `HTTP`, `HTTP gzip`: `Observability.layerPrometheus` scraped by a
 *      process of its own (as Prometheus does), without and with
 *      `Accept-Encoding: gzip`.
 *    A 1 ms interval timer records the longest gap between its ticks (wall
 *    time, and this process's CPU time inside that gap: on a shared machine
 *    a long wall gap with little CPU is the process waiting for a core, not
 *    the scrape holding the loop), `perf_hooks.monitorEventLoopDelay` at 1 ms
 *    resolution its maximum; medians of 5 scrapes after one warm-up scrape.
 *
 *   cd packages/opentelemetry && npx tsx bench/scrape.ts [--sets 1000,10000] [--stallSets 100,1000,10000]
 */
import { Observability } from "@aio-request/opentelemetry"
import { HttpMetrics } from "@aio-request/platform"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import * as PromClient from "prom-client"
import { quick, report } from "../../../bench/figure.js"
import * as Prometheus from "../src/internal/prometheus.js"

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1]!
}
const sizes = arg("sets", quick ? "1000" : "1000,10000").split(",").map(Number)
const stallSizes = arg("stallSets", quick ? "1000" : "100,1000,10000").split(",").map(Number)
const rounds = quick ? 1 : 5
/** The aim for the longest stall: a few slices' worth (a slice is about 4 ms). */
const stallTarget = 20

/** The server latency histogram (20 buckets, four labels), recorded in Effect's registry. */
const labelsOf = (i: number) => ({
  client: `client-${i % 50}`,
  method: "GET",
  path: `/route/${Math.floor(i / 50)}`,
  status: 200
})
const secondsOf = (i: number) => (i % 100) / 1000

// ---------------------------------------------------------------------------
// 1. serialising, ours against prom-client
// ---------------------------------------------------------------------------

const best = async (f: () => unknown | Promise<unknown>, runs = 5): Promise<number> => {
  let min = Infinity
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await f()
    min = Math.min(min, performance.now() - start)
  }
  return min
}

const serialising = Effect.gen(function*() {
  const promRegistry = new PromClient.Registry()
  const promHistogram = new PromClient.Histogram({
    name: "aio_request_server_latency",
    help: "Latency of a server request, in seconds",
    labelNames: ["request_client", "request_method", "request_path", "response_status"],
    buckets: [...HttpMetrics.latencyBuckets],
    registers: [promRegistry]
  })
  let recorded = 0
  console.log(`Serialising the server latency histogram, in process, best of 5 (node ${process.version})`)
  console.log("label sets   ours ms   prom-client ms   ours/prom   ours ms per 1,000   bytes (ours / prom)")
  const cache = Prometheus.makeCache()
  const options = { runtimeMetrics: false, preamble: "", sliceMillis: 1e9 }
  for (const sets of sizes) {
    // both registries get the same label sets and values
    for (; recorded < sets; recorded++) {
      const labels = labelsOf(recorded)
      yield* HttpMetrics.recordServerRequest(labels, secondsOf(recorded))
      promHistogram.observe({
        request_client: labels.client,
        request_method: labels.method,
        request_path: labels.path,
        response_status: String(labels.status)
      }, secondsOf(recorded))
    }
    // both as the bytes a scrape sends: ours from the sliced writer (one slice:
    // no pauses), each series' state read afresh as a scrape does, the label
    // text cached as the layer keeps it; prom-client's text encoded to UTF-8
    let chunks: Array<Uint8Array> = []
    let theirs = ""
    const oursMs = yield* Effect.promise(() =>
      best(() => {
        chunks = []
        const sink: Prometheus.Sink = {
          write: (chunk) => {
            chunks.push(chunk)
            return true
          },
          drained: Effect.void
        }
        return Effect.runPromise(Prometheus.write(cache, options, sink))
      })
    )
    const theirsMs = yield* Effect.promise(() =>
      best(async () => {
        theirs = await promRegistry.metrics()
        return Buffer.from(theirs, "utf8")
      })
    )
    const ours = Buffer.concat(chunks).toString("utf8")
    const oursLines = ours.split("\n").filter((l) => l.startsWith("aio_request_server_latency")).length
    const theirLines = theirs.split("\n").filter((l) => l.startsWith("aio_request_server_latency")).length
    if (oursLines !== theirLines) console.log(`  (lines differ: ours ${oursLines}, prom-client ${theirLines})`)
    console.log(
      `${String(sets).padStart(10)}   ${oursMs.toFixed(1).padStart(7)}   ${theirsMs.toFixed(1).padStart(14)}   ${
        (oursMs / theirsMs).toFixed(2).padStart(9)
      }   ${(oursMs * 1000 / sets).toFixed(2).padStart(17)}   ${ours.length} / ${theirs.length}`
    )
    report({
      id: `scrape.serialise_${sets}_vs_prom_client`,
      title: `Prometheus exposition of ${sets} label sets (histograms, 20 buckets), as bytes: ms per 1,000 label sets`,
      value: oursMs * 1000 / sets,
      unit: "ms",
      anchor: "prom-client 15.1.3 register.metrics() + UTF-8 encoding, same series",
      anchorValue: theirsMs * 1000 / sets,
      ratio: oursMs / theirsMs,
      target: "≤ 2× prom-client",
      met: oursMs / theirsMs <= 2
    })
  }
})

// ---------------------------------------------------------------------------
// 2. the longest stall, one child process per size and way
// ---------------------------------------------------------------------------

type Way = "inprocess" | "http" | "gzip"
const ways: ReadonlyArray<Way> = ["inprocess", "http", "gzip"]
const wayTitle: Record<Way, string> = { inprocess: "in process", http: "HTTP", gzip: "HTTP gzip" }

interface StallResult {
  readonly sets: number
  readonly way: Way
  /** Median over the rounds. */
  readonly ms: number
  readonly maxStall: number
  readonly maxStallCpu: number
  readonly histogramMax: number
  readonly bytes: number
}

/** Watches the event loop while `f` runs. */
const watched = async (f: () => Promise<number>) => {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  let last = performance.now()
  let lastCpu = process.cpuUsage()
  let maxStall = 0
  let maxStallCpu = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    const cpu = process.cpuUsage(lastCpu)
    if (now - last > maxStall) {
      maxStall = now - last
      maxStallCpu = (cpu.user + cpu.system) / 1000
    }
    last = now
    lastCpu = process.cpuUsage()
  }, 1)
  histogram.enable()
  const start = performance.now()
  const bytes = await f()
  const ms = performance.now() - start
  histogram.disable()
  clearInterval(ticker)
  // the gap still open when the scrape ended (all of it, for a scrape shorter than a tick)
  if (performance.now() - last > maxStall) {
    maxStall = performance.now() - last
    maxStallCpu = (process.cpuUsage(lastCpu).user + process.cpuUsage(lastCpu).system) / 1000
  }
  return { ms, maxStall, maxStallCpu, histogramMax: histogram.max / 1e6, bytes }
}

/**
 * The scraper runs in a process of its own, as Prometheus does: reading 30 MB
 * here would stall this event loop by itself. It is started once, before the
 * scrapes measured (a Node process starting up would compete for the CPU),
 * and scrapes once per line on its stdin, answering with the body's size as
 * received (compressed when gzip).
 */
const startScraper = (url: string, gzip: boolean) => {
  const child = spawn(process.execPath, [
    "-e",
    `const http = require("node:http");` +
    `require("node:readline").createInterface({ input: process.stdin }).on("line", () =>` +
    ` http.get(${JSON.stringify(url)}, { headers: { "accept-encoding": ${
      JSON.stringify(gzip ? "gzip" : "identity")
    } } }, (r) => { let n = 0; r.on("data", (c) => n += c.length); r.on("end", () => console.log(n)) }))`
  ], { stdio: ["pipe", "pipe", "inherit"] })
  let out = ""
  let waiting: ((bytes: number) => void) | undefined
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString()
    const end = out.indexOf("\n")
    if (end !== -1 && waiting !== undefined) {
      const line = out.slice(0, end)
      out = out.slice(end + 1)
      const resolve = waiting
      waiting = undefined
      resolve(Number(line))
    }
  })
  return {
    scrape: () =>
      new Promise<number>((resolve) => {
        waiting = resolve
        child.stdin.write("go\n")
      }),
    stop: () => child.kill()
  }
}

/** In the child: record `sets` label sets, scrape them `rounds` times after a warm-up, print the medians. */
const stallChild = (sets: number, way: Way) =>
  Effect.gen(function*() {
    for (let i = 0; i < sets; i++) yield* HttpMetrics.recordServerRequest(labelsOf(i), secondsOf(i))
    let once: () => Promise<number>
    let stop = () => {}
    if (way === "inprocess") {
      const cache = Prometheus.makeCache()
      const options = { runtimeMetrics: false, preamble: "" }
      once = () => {
        let bytes = 0
        const sink: Prometheus.Sink = {
          write: (chunk) => {
            bytes += chunk.length
            return true
          },
          drained: Effect.void
        }
        return Effect.runPromise(Prometheus.write(cache, options, sink)).then(() => bytes)
      }
    } else {
      const { url } = yield* Observability.PrometheusEndpoint
      const scraper = startScraper(url, way === "gzip")
      once = scraper.scrape
      stop = scraper.stop
    }
    yield* Effect.promise(once) // warm-up: label text cached
    const results = []
    for (let round = 0; round < rounds; round++) results.push(yield* Effect.promise(() => watched(once)))
    const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const result: StallResult = {
      sets,
      way,
      ms: median(results.map((r) => r.ms)),
      maxStall: median(results.map((r) => r.maxStall)),
      maxStallCpu: median(results.map((r) => r.maxStallCpu)),
      histogramMax: median(results.map((r) => r.histogramMax)),
      bytes: results[0]!.bytes
    }
    stop()
    console.log(`STALL ${JSON.stringify(result)}`)
  }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 })))

const inChild = (sets: number, way: Way) =>
  new Promise<StallResult>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1]!, "--child", String(sets), "--way", way],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => out += chunk.toString())
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("STALL "))
      if (code !== 0 || line === undefined) reject(new Error(`stall child (${sets}, ${way}) exited ${code}: ${out}`))
      else resolve(JSON.parse(line.slice("STALL ".length)) as StallResult)
    })
  })

const stalls = Effect.gen(function*() {
  console.log(
    `\nLongest event-loop stall during a scrape, each row in a child process of its own holding exactly its label sets` +
      `\n(medians of ${rounds} scrapes; wall = longest gap of a 1 ms interval, cpu = this process's CPU time in that gap)`
  )
  console.log(
    "label sets   way          bytes sent   ms/scrape   longest stall ms (wall)   cpu in it ms   loop delay max ms"
  )
  for (const sets of stallSizes) {
    for (const way of ways) {
      const r = yield* Effect.promise(() => inChild(sets, way))
      console.log(
        `${String(sets).padStart(10)}   ${wayTitle[way].padEnd(10)}   ${String(r.bytes).padStart(10)}   ${
          r.ms.toFixed(0).padStart(9)
        }   ${r.maxStall.toFixed(1).padStart(23)}   ${r.maxStallCpu.toFixed(1).padStart(12)}   ${
          r.histogramMax.toFixed(1).padStart(17)
        }`
      )
      report({
        id: `scrape.longest_stall_${way}_${sets}`,
        title: `Longest event-loop stall during a scrape of ${sets} label sets, ${wayTitle[way]} (wall time)`,
        value: r.maxStall,
        unit: "ms",
        anchor: `the whole scrape (${r.ms.toFixed(0)} ms; CPU in the stall ${r.maxStallCpu.toFixed(1)} ms)`,
        anchorValue: r.ms,
        target: `≤ ${stallTarget} ms`,
        met: r.maxStall <= stallTarget
      })
    }
  }
})

const child = process.argv.indexOf("--child")
if (child !== -1) {
  Effect.runPromise(stallChild(Number(process.argv[child + 1]), arg("way", "http") as Way))
} else {
  Effect.runPromise(Effect.zipRight(serialising, stalls))
}
