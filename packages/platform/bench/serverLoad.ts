/**
 * What `ServerMiddleware` costs a real server: one route (`GET /users/:id` →
 * "ok") served three ways, each in its own process:
 *
 * - bare: `HttpServer.serve(router)` (Effect 4: `HttpRouter.serve(routes)`, request logger off)
 * - make: `HttpServer.serve(router, ServerMiddleware.make())` (Effect 4: the same with
 *   `HttpRouter.middleware(ServerMiddleware.make(), { global: true })`)
 * - cancelOnTimeout: the same with `ServerMiddleware.make({ cancelOnTimeout: true })`
 *
 * and loaded by a real load generator: `wrk` when it is on the PATH (Debian:
 * `apt-get install -y wrk`), else `autocannon` (a devDependency), 32
 * connections. With `taskset` the servers run on CPU 0 and the load generator
 * on CPU 1. Runs alternate between the servers, round after round; the ratio
 * reported is the median over rounds of each server's req/s over the bare
 * server's in the same round. Beside the rates it prints each server's CPU
 * time per request (from `/proc/<pid>/stat`, Linux), which on a shared machine
 * moves less than req/s.
 *
 * Written once for both lines (copied to effect4/platform/bench, see `support/line.ts`):
 *
 *   cd packages/platform && npx tsx bench/serverLoad.ts [--seconds 3] [--rounds 5] [--connections 32]
 *   cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/serverLoad.ts [same options]
 *   BENCH_CPU_PROFILE=/tmp/prof npx tsx bench/serverLoad.ts   # node --cpu-prof of each server
 *   BENCH_LOADGEN=autocannon npx tsx bench/serverLoad.ts      # force the fallback
 */
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { quick, report } from "../../../bench/figure.js"
import { ServerMiddleware } from "../src/index.js"
import { line, serveOk } from "./support/line.js"

const variants = ["bare", "make", "cancelOnTimeout"] as const
type Variant = typeof variants[number]

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? undefined : process.argv[at + 1]
}

// ---------------------------------------------------------------------------
// the server process
// ---------------------------------------------------------------------------

const serveVariant = (variant: Variant) => {
  const program = Effect.gen(function*() {
    const port = yield* (variant === "bare"
      ? serveOk("/users/:id")
      : serveOk("/users/:id", ServerMiddleware.make(variant === "make" ? {} : { cancelOnTimeout: true })))
    console.log(`PORT ${port}`)
    yield* Effect.never
  })
  Effect.runFork(Effect.scoped(program))
  process.on("SIGTERM", () => process.exit(0))
}

// ---------------------------------------------------------------------------
// the driver
// ---------------------------------------------------------------------------

const has = (command: string): boolean => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

const pinned = (cpu: number, command: string, args: ReadonlyArray<string>): [string, Array<string>] =>
  has("taskset") ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, [...args]]

const startServer = (variant: Variant, profileDir: string | undefined) =>
  new Promise<{ child: ChildProcess; port: number }>((resolve, reject) => {
    const nodeArgs = [
      ...(profileDir !== undefined ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--serve",
      variant
    ]
    const [command, args] = pinned(0, process.execPath, nodeArgs)
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const match = /PORT (\d+)/.exec(out)
      if (match !== null) resolve({ child, port: Number(match[1]) })
    })
    child.once("exit", (code) => reject(new Error(`${variant} server exited with ${code}`)))
  })

const headers = { "x-request-timeout": "5", "x-service-name": "bench" }

/** What one load run measured: the rate, and how many answers it got. */
interface Load {
  readonly rate: number
  readonly requests: number
}

const wrk = (url: string, seconds: number, connections: number): Load => {
  const [command, args] = pinned(1, "wrk", [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    url
  ])
  const output = execFileSync(command, args, { encoding: "utf8" })
  const match = /Requests\/sec:\s+([\d.]+)/.exec(output)
  const total = /(\d+) requests in/.exec(output)
  if (match === null || total === null) throw new Error(`cannot read wrk output:\n${output}`)
  if (/Non-2xx/.test(output)) throw new Error(`non-2xx answers:\n${output}`)
  return { rate: Number(match[1]), requests: Number(total[1]) }
}

const autocannonRun = async (url: string, seconds: number, connections: number): Promise<Load> => {
  const { default: autocannon } = await import("autocannon")
  const result = await autocannon({ url, connections, duration: seconds, headers })
  if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers`)
  return { rate: result.requests.average, requests: result.requests.total }
}

/**
 * The CPU time (user + system, microseconds) a process has used, from
 * `/proc/<pid>/stat` (Linux); `undefined` elsewhere. On a shared machine a
 * server's req/s also depends on how much of its core it got; its CPU time
 * per request does not (much), so it is printed beside the rate.
 */
const clockTick = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()
const cpuMicros = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // the fields after the command name (in parentheses, which may hold spaces)
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 1e6 / clockTick
  } catch {
    return undefined
  }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const drive = async () => {
  const seconds = Number(arg("seconds") ?? (quick ? 1 : 3))
  const rounds = Number(arg("rounds") ?? (quick ? 3 : 5))
  const connections = Number(arg("connections") ?? 32)
  const profileDir = process.env.BENCH_CPU_PROFILE
  const useWrk = process.env.BENCH_LOADGEN !== "autocannon" && has("wrk")
  const loadgen = useWrk ? "wrk" : "autocannon"
  const load = (url: string, s: number) =>
    useWrk ? Promise.resolve(wrk(url, s, connections)) : autocannonRun(url, s, connections)

  const servers = new Map<Variant, { child: ChildProcess; port: number }>()
  try {
    for (const variant of variants) servers.set(variant, await startServer(variant, profileDir))
    const url = (variant: Variant) => `http://127.0.0.1:${servers.get(variant)!.port}/users/42`
    for (const variant of variants) await load(url(variant), quick ? 1 : 2) // warm-up (JIT)
    const results: Record<Variant, Array<number>> = { bare: [], make: [], cancelOnTimeout: [] }
    const cpu: Record<Variant, Array<number>> = { bare: [], make: [], cancelOnTimeout: [] }
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        const pid = servers.get(variant)!.child.pid
        const before = cpuMicros(pid)
        const { rate, requests } = await load(url(variant), seconds)
        const after = cpuMicros(pid)
        results[variant].push(rate)
        if (before !== undefined && after !== undefined && requests > 0) cpu[variant].push((after - before) / requests)
      }
    }
    const bare = median(results.bare)
    // on a shared machine the load drifts between rounds: the ratio within
    // each round (runs seconds apart) is steadier than the ratio of medians
    const ratios = (variant: Variant) => results[variant].map((r, i) => r / results.bare[i]!)
    console.log(
      `${line.name}ServerMiddleware under load: ${loadgen}, ${connections} connections, ${seconds} s x ${rounds} rounds, ` +
        `${has("taskset") ? "server on CPU 0, load on CPU 1" : "no taskset: not pinned"} (node ${process.version})`
    )
    console.log("server             req/s (median)   ratio of medians   median of round ratios   rounds")
    for (const variant of variants) {
      const m = median(results[variant])
      console.log(
        `${variant.padEnd(18)} ${m.toFixed(0).padStart(14)}   ${(m / bare).toFixed(2).padStart(16)}   ${
          median(ratios(variant)).toFixed(2).padStart(22)
        }   ${results[variant].map((r) => r.toFixed(0)).join(" / ")}`
      )
    }
    if (cpu.bare.length > 0) {
      // bare's CPU per request over the variant's: the req/s ratio a server
      // that had its core to itself would show
      const cpuRatio = (variant: Variant) => median(cpu[variant].map((c, i) => cpu.bare[i]! / c))
      console.log("server             server CPU µs/request (median)   bare's CPU / this CPU (median of rounds)")
      for (const variant of variants) {
        console.log(
          `${variant.padEnd(18)} ${median(cpu[variant]).toFixed(1).padStart(30)}   ${
            cpuRatio(variant).toFixed(2).padStart(38)
          }`
        )
      }
    }
    const make = median(results.make)
    const cancel = median(results.cancelOnTimeout)
    const makeRatio = median(ratios("make"))
    const cancelRatio = median(ratios("cancelOnTimeout"))
    const { cancelOnTimeout: cancelTarget, make: makeTarget } = line.target
    report({
      id: `${line.id}server.make_vs_bare`,
      title: `${line.title}ServerMiddleware.make() req/s against the bare ${line.name}server (${loadgen})`,
      value: make,
      unit: "req/s",
      anchor: `bare ${line.name}${line.server}`,
      anchorValue: bare,
      ratio: makeRatio,
      target: `≥ ${makeTarget.toFixed(2)}`,
      met: makeRatio >= makeTarget
    })
    report({
      id: `${line.id}server.cancel_on_timeout_vs_bare`,
      title:
        `${line.title}ServerMiddleware.make({ cancelOnTimeout: true }) req/s against the bare ${line.name}server (${loadgen})`,
      value: cancel,
      unit: "req/s",
      anchor: `bare ${line.name}${line.server}`,
      anchorValue: bare,
      ratio: cancelRatio,
      target: `≥ ${cancelTarget.toFixed(2)}`,
      met: cancelRatio >= cancelTarget
    })
  } finally {
    for (const { child } of servers.values()) child.kill("SIGTERM")
  }
  if (profileDir !== undefined) console.log(`CPU profiles of the servers in ${profileDir}`)
}

const serve = arg("serve")
if (serve !== undefined) serveVariant(serve as Variant)
else await drive()
