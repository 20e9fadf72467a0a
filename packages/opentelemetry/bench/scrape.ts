/**
 * What a Prometheus scrape costs, side by side with prom-client serialising
 * the same series (histograms with the seed's 20 buckets and the server
 * metric's four labels), and how long a scrape of 10,000 label sets holds the
 * event loop.
 *
 * 1. Serialising N label sets to text, in process: our writer (from Effect's
 *    metric snapshot) against prom-client's `register.metrics()`, best of 5,
 *    ms per 1,000 label sets.
 * 2. A scrape over HTTP of 10,000 label sets from `Observability.layerPrometheus`,
 *    while `perf_hooks.monitorEventLoopDelay` and a 1 ms interval watch the
 *    event loop: the longest stall during the scrape.
 *
 *   cd packages/opentelemetry && npx tsx bench/scrape.ts [--sets 1000,10000] [--stallSets 10000]
 */
import { Observability } from "@aio-request/opentelemetry"
import { HttpMetrics } from "@aio-request/platform"
import { Effect, Metric } from "effect"
import { spawn } from "node:child_process"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import * as PromClient from "prom-client"
import { report } from "../../../bench/figure.js"
import * as Prometheus from "../src/internal/prometheus.js"

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1]!
}
const sizes = arg("sets", "1000,10000").split(",").map(Number)
const stallSets = Number(arg("stallSets", "10000"))

const promRegistry = new PromClient.Registry()
const promHistogram = new PromClient.Histogram({
  name: "aio_request_server_latency",
  help: "Latency of a server request, in seconds",
  labelNames: ["request_client", "request_method", "request_path", "response_status"],
  buckets: [...HttpMetrics.latencyBuckets],
  registers: [promRegistry]
})

let recorded = 0
/** Both registries get the same label sets and values. */
const recordUpTo = (sets: number) =>
  Effect.gen(function*() {
    for (; recorded < sets; recorded++) {
      const labels = {
        client: `client-${recorded % 50}`,
        method: "GET",
        path: `/route/${Math.floor(recorded / 50)}`,
        status: 200
      }
      const seconds = (recorded % 100) / 1000
      yield* HttpMetrics.recordServerRequest(labels, seconds)
      promHistogram.observe({
        request_client: labels.client,
        request_method: labels.method,
        request_path: labels.path,
        response_status: String(labels.status)
      }, seconds)
    }
  })

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
  console.log(`Serialising the server latency histogram, in process, best of 5 (node ${process.version})`)
  console.log("label sets   ours ms   prom-client ms   ours/prom   ours ms per 1,000   bytes (ours / prom)")
  const cache = Prometheus.makeCache()
  const options = { runtimeMetrics: false, preamble: "" }
  for (const sets of sizes) {
    yield* recordUpTo(sets)
    let ours = ""
    let theirs = ""
    // ours from a fresh snapshot each time, as a scrape does (the label cache is kept, as the layer keeps it)
    const oursMs = yield* Effect.promise(() =>
      best(() => {
        ours = Prometheus.writeAll(cache, Metric.unsafeSnapshot(), options)
      })
    )
    const theirsMs = yield* Effect.promise(() =>
      best(async () => {
        theirs = await promRegistry.metrics()
      })
    )
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
      title: `Prometheus text of ${sets} label sets (histograms, 20 buckets): ms per 1,000 label sets`,
      value: oursMs * 1000 / sets,
      unit: "ms",
      anchor: "prom-client 15.1.3 register.metrics(), same series",
      anchorValue: theirsMs * 1000 / sets,
      ratio: oursMs / theirsMs,
      target: "≤ 2× prom-client",
      met: oursMs / theirsMs <= 2
    })
  }
})

/**
 * The scraper runs in a process of its own, as Prometheus does: reading 30 MB
 * here would stall this event loop by itself. Resolves with the body's size.
 */
const scrapeElsewhere = (url: string) =>
  new Promise<{ length: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [
      "-e",
      `fetch(${JSON.stringify(url)}, { headers: { "accept-encoding": "identity" } })` +
      `.then((r) => r.arrayBuffer()).then((b) => console.log(b.byteLength))`
    ], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => out += chunk.toString())
    child.once("exit", (code) =>
      code === 0 ? resolve({ length: Number(out.trim()) }) : reject(new Error(`scraper exited ${code}`)))
  })

const stall = Effect.gen(function*() {
  yield* recordUpTo(stallSets)
  const { url } = yield* Observability.PrometheusEndpoint
  yield* Effect.promise(() => scrapeElsewhere(url)) // warm-up: label strings cached
  const rounds: Array<{ ms: number; maxStall: number; maxStallCpu: number; histogramMax: number; bytes: number }> = []
  for (let round = 0; round < 3; round++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 })
    // every gap between two ticks of a 1 ms interval, in wall time and in this
    // process's CPU time: on a shared machine a long wall gap with little CPU
    // is the process waiting for a core, not the scrape holding the loop
    let last = performance.now()
    let lastCpu = process.cpuUsage()
    let maxStall = 0
    let maxStallCpu = 0
    const ticker = setInterval(() => {
      const now = performance.now()
      const cpu = process.cpuUsage(lastCpu)
      maxStall = Math.max(maxStall, now - last)
      maxStallCpu = Math.max(maxStallCpu, (cpu.user + cpu.system) / 1000)
      last = now
      lastCpu = process.cpuUsage()
    }, 1)
    histogram.enable()
    const start = performance.now()
    const body = yield* Effect.promise(() => scrapeElsewhere(url))
    const ms = performance.now() - start
    histogram.disable()
    clearInterval(ticker)
    rounds.push({ ms, maxStall, maxStallCpu, histogramMax: histogram.max / 1e6, bytes: body.length })
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const ms = median(rounds.map((r) => r.ms))
  const maxStall = median(rounds.map((r) => r.maxStall))
  const maxStallCpu = median(rounds.map((r) => r.maxStallCpu))
  const histogramMax = median(rounds.map((r) => r.histogramMax))
  console.log(
    `\nScrape over HTTP of ${recorded} label sets (${rounds[0]!.bytes} bytes), medians of 3: ` +
      `${ms.toFixed(0)} ms per scrape; longest event-loop stall ${maxStall.toFixed(1)} ms wall ` +
      `(1 ms interval; monitorEventLoopDelay max ${histogramMax.toFixed(1)} ms), ` +
      `${maxStallCpu.toFixed(1)} ms of this process's CPU time`
  )
  report({
    id: "scrape.longest_stall_10k",
    title: `Longest event-loop stall during a scrape of ${recorded} label sets (wall time)`,
    value: maxStall,
    unit: "ms",
    anchor: `the whole scrape (${ms.toFixed(0)} ms)`,
    anchorValue: ms
  })
  report({
    id: "scrape.longest_stall_cpu_10k",
    title: `Longest event-loop stall during a scrape of ${recorded} label sets (this process's CPU time in it)`,
    value: maxStallCpu,
    unit: "ms"
  })
}).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 })))

Effect.runPromise(Effect.zipRight(serialising, stall))
