/**
 * The overload scenario, end to end (issue 20, item 5): a front service and an
 * upstream with a limit, both behind `ServerMiddleware`, the front calling the
 * upstream through a `ResilientHttpClient` that retries
 * (`examples/src/overload/chain.ts`), driven open-loop at the front with 20%
 * high, 30% normal, 50% low (`examples/src/overload/run.ts`): a warm-up and
 * 0.5× the upstream's capacity ("unloaded"), then 2×. The same scenario runs
 * twice, on fresh services, in two modes of the front's client
 * (`modeOptions`): "baseline" (pushback off, no client limit) and "protected"
 * (pushback on, a client-side `concurrencyLimit`).
 *
 * Per mode and priority: goodput (answered 200 per second), p99 at the
 * front's caller, shed % (answered 503) and the attempts the front wasted on
 * 503s (front→upstream attempts answered 503, counted on the transport the
 * front's client sends through). Targets (issue 20), protected against
 * baseline at 2×: wasted attempts ≤ 0.2×, high p99 within 1.5× its unloaded
 * p99, high shed 0%. The load generator, the front and the upstream run in
 * three processes (`support/overload-chain-service.ts`).
 *
 * It imports `effect` and the packages only through `@aio-request/line/*`,
 * as the demo's scenes do: `--effect4` runs it (and its services) on the
 * Effect 4 line, under Node 22 (scripts/node22.mjs when this Node is older).
 *
 * cd examples && npx tsx bench/overload-chain.ts [--effect4] [--capacity 5] [--service 1000]
 *   [--timeout 3000] [--retry-after 3000] [--hedge] [--warm-up 3] [--unloaded 10] [--overload 20]
 * (also `pnpm bench --only overload-chain`; BENCH_QUICK=1: 1 + 2 + 4 s per mode, about 20 s)
 */
import type { Priority } from "@aio-request/line/core"
import { Effect, HttpClient, line, Main } from "@aio-request/line/demo"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { quick, report } from "../../bench/figure.js"
import { relaunchOnEffect4 } from "../src/demo/relaunch.js"
import { type Attempts, type ChainParameters, defaults, priorities } from "../src/overload/chain.js"
import { arg } from "../src/overload/model.js"
import { type ModeResult, type Plan, printTable, runBoth, type Start } from "../src/overload/run.js"

if (process.argv.includes("--effect4") && line.name !== "Effect 4") {
  process.exit(relaunchOnEffect4(process.argv.slice(2), "examples/bench/overload-chain.ts"))
}

const p: ChainParameters = {
  capacity: arg("capacity", defaults.capacity),
  service: arg("service", defaults.service),
  timeout: arg("timeout", defaults.timeout),
  shedRetryAfter: arg("retry-after", defaults.shedRetryAfter),
  strategy: process.argv.includes("--hedge") ? "hedge" : "retry"
}
const plan: Plan = {
  warmUp: arg("warm-up", quick ? 1 : 3),
  unloaded: arg("unloaded", quick ? 2 : 10),
  overload: arg("overload", quick ? 4 : 20)
}

/** Starts `overload-chain-service.ts` with `args` until the scope closes; the URL it prints. */
const service = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.tryPromise(() =>
      new Promise<{ url: string; child: ChildProcess }>((resolve, reject) => {
        const child = spawn(process.execPath, [
          ...process.execArgv,
          fileURLToPath(new URL("./support/overload-chain-service.ts", import.meta.url)),
          ...args,
          ...[
            "--capacity",
            p.capacity,
            "--service",
            p.service,
            "--timeout",
            p.timeout,
            "--retry-after",
            p.shedRetryAfter
          ]
            .map(String),
          ...(p.strategy === "hedge" ? ["--hedge"] : [])
        ], { stdio: ["ignore", "pipe", "inherit"] })
        let buffered = ""
        let started = false
        child.stdout!.on("data", (chunk: Buffer) => {
          buffered += chunk.toString()
          const match = /^URL (\S+)$/m.exec(buffered)
          if (match !== null && !started) {
            started = true
            resolve({ url: match[1]!, child })
          }
        })
        child.on("exit", (code) => {
          if (!started) reject(new Error(`${args[0]} exited with ${code}`))
        })
      })
    ),
    ({ child }) => Effect.sync(() => void child.kill())
  )

/** The upstream and the front, each in its own process; the counts from the front's `GET /attempts`. */
const inProcesses: Start = (_p, mode) =>
  Effect.gen(function*() {
    const { url: upstreamUrl } = yield* service(["upstream"])
    const { url } = yield* service(["front", upstreamUrl, mode])
    const client = yield* HttpClient.HttpClient
    const attempts: Effect.Effect<Attempts, unknown> = Effect.scoped(
      Effect.flatMap(client.get(`${url}/attempts`), (response) => response.text)
    ).pipe(Effect.map((body): Attempts => JSON.parse(body)))
    return { url, attempts }
  })

const figures = (results: readonly [ModeResult, ModeResult]) => {
  const [baseline, protectedMode] = results
  const wiring = protectedMode.wired ? "" : " (protected mode not yet wired)"
  const wasted = (r: ModeResult) => priorities.reduce((n, pr) => n + r.overload[pr].wasted, 0)
  const wastedRatio = wasted(protectedMode) / Math.max(1, wasted(baseline))
  report({
    id: "overload.chain.wasted_attempts",
    title: `Front→upstream attempts answered 503 at 2×, protected against baseline${wiring}`,
    value: wasted(protectedMode),
    unit: "attempts",
    anchor: "baseline",
    anchorValue: wasted(baseline),
    ratio: wastedRatio,
    target: "≤ 0.2× baseline",
    met: wastedRatio <= 0.2
  })
  const highRatio = protectedMode.overload.high.p99 / protectedMode.unloaded.high.p99
  report({
    id: "overload.chain.high_p99_vs_unloaded",
    title: `High-priority p99 at the front at 2×, protected, against its unloaded p99${wiring}`,
    value: protectedMode.overload.high.p99,
    unit: "ms",
    anchor: "high p99 at 0.5× (ms)",
    anchorValue: protectedMode.unloaded.high.p99,
    ratio: highRatio,
    target: "≤ 1.5×",
    met: highRatio <= 1.5
  })
  report({
    id: "overload.chain.high_shed_pct",
    title: `High-priority requests shed at 2×, protected${wiring}`,
    value: protectedMode.overload.high.shedPct,
    unit: "%",
    target: "0%",
    met: protectedMode.overload.high.shedPct === 0
  })
  for (const r of results) {
    report({
      id: `overload.chain.${r.mode}.high_p99_unloaded`,
      title: `${r.mode}: high-priority p99 at the front at 0.5× (unloaded)`,
      value: r.unloaded.high.p99,
      unit: "ms"
    })
    for (const pr of priorities as ReadonlyArray<Priority.Priority>) {
      const row = r.overload[pr]
      const id = `overload.chain.${r.mode}.${pr}`
      report({
        id: `${id}.goodput`,
        title: `${r.mode}, ${pr}, 2×: answered 200 per second`,
        value: row.goodput,
        unit: "req/s"
      })
      report({
        id: `${id}.p99`,
        title: `${r.mode}, ${pr}, 2×: p99 of the 200s at the front`,
        value: row.p99,
        unit: "ms"
      })
      report({ id: `${id}.shed_pct`, title: `${r.mode}, ${pr}, 2×: answered 503`, value: row.shedPct, unit: "%" })
      report({
        id: `${id}.wasted_attempts`,
        title: `${r.mode}, ${pr}, 2×: front→upstream attempts answered 503`,
        value: row.wasted,
        unit: "attempts"
      })
    }
  }
}

const program = Effect.gen(function*() {
  console.log(`Overload, end to end: front → upstream, baseline against protected, on ${line.name} (${line.runtime})`)
  const results = yield* runBoth(p, plan, inProcesses)
  yield* printTable(p, plan, results)
  figures(results)
})

await Effect.runPromise(program.pipe(Effect.provide(Main)))
