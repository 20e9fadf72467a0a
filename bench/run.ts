/**
 * `pnpm bench`: runs every benchmark of the workspace one after another, each
 * package's own `bench` script as a child process (what
 * `pnpm --filter <package> bench` runs), shows which one is running and for
 * how long, collects the `BENCH {json}` lines they print (see `figure.ts`),
 * then prints one summary table and writes `bench/results/<timestamp>.json`,
 * `bench/results/latest.json` and SVG plots beside them.
 *
 *   pnpm bench                      everything (about 10 minutes on 2 cores)
 *   pnpm bench --quick              a short smoke run (BENCH_QUICK=1 for every benchmark)
 *   pnpm bench --only core          one suite (a package directory: core, platform, opentelemetry, examples;
 *                                   effect4-core for the Effect 4 line's core, under Node 22)
 *   pnpm bench --only platform/client,tail-at-scale
 *                                   one file of a suite (`bench/<file>.ts`), by suite/file or by file name
 *   pnpm bench --list               the suites and their files
 *   pnpm bench --write-docs         also rewrite the figures block of docs/performance.md
 *                                   (between <!-- bench:begin --> and <!-- bench:end -->) and copy the plots to docs/img/
 *   pnpm bench --timeout 20         minutes after which a suite is stopped (default 20)
 *   pnpm bench --from bench/results/latest.json --write-docs
 *                                   report a saved run again (table, plots, docs block) without running anything
 *   pnpm bench --only tail-at-scale -- --rate 100
 *                                   arguments after `--` go to the benchmarks run
 */
import { type ChildProcess, spawn } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { dirname, join, relative } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { Figure } from "./figure.js"
import { formatNumber, lineChart, ratioChart } from "./plot.js"
import {
  BEGIN,
  busy,
  clock,
  type Collected,
  docsBlock,
  END,
  type JobResult,
  machine,
  replaceBlock,
  type RunResult,
  table
} from "./summary.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const resultsDir = join(root, "bench", "results")
const docsFile = join(root, "docs", "performance.md")

// ---------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------

interface Args {
  readonly quick: boolean
  readonly only: ReadonlyArray<string>
  readonly list: boolean
  readonly writeDocs: boolean
  readonly timeoutMinutes: number
  /** Arguments after `--`, handed to every benchmark run. */
  readonly rest: ReadonlyArray<string>
  /** A results file to report again instead of running anything. */
  readonly from: string | undefined
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  let quick = false
  let list = false
  let writeDocs = false
  let timeoutMinutes = 20
  let from: string | undefined
  const only: Array<string> = []
  const dashes = argv.indexOf("--")
  const rest = dashes === -1 ? [] : argv.slice(dashes + 1)
  const own = dashes === -1 ? argv : argv.slice(0, dashes)
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!
    if (a === "--quick") quick = true
    else if (a === "--list") list = true
    else if (a === "--write-docs") writeDocs = true
    else if (a === "--only" || a.startsWith("--only=")) {
      const value = a === "--only" ? own[++i] : a.slice("--only=".length)
      if (value === undefined) throw new Error("--only needs a name")
      only.push(...value.split(",").map((s) => s.trim()).filter((s) => s.length > 0))
    } else if (a === "--timeout") timeoutMinutes = Number(own[++i])
    else if (a === "--from") from = own[++i]
    else throw new Error(`unknown argument ${a} (see the head of bench/run.ts)`)
  }
  if (!(timeoutMinutes > 0)) throw new Error("--timeout needs a number of minutes > 0")
  return { quick, only, list, writeDocs, timeoutMinutes, rest, from }
}

// ---------------------------------------------------------------------------
// suites: every workspace package with a `bench` script
// ---------------------------------------------------------------------------

interface Suite {
  /**
   * The package directory's name: `core`, `platform`, `opentelemetry`,
   * `examples`; an Effect 4 line package's is prefixed `effect4-`
   * (`effect4-core`): the two lines share package names.
   */
  readonly name: string
  readonly packageName: string
  readonly dir: string
  readonly script: string
  /** `bench/*.ts` files of the package, without the extension (`index` excluded). */
  readonly files: ReadonlyArray<string>
  /** An Effect 4 line package: run from its directory, one file under Node 22 (scripts/node22.mjs). */
  readonly effect4: boolean
}

const discover = (): Array<Suite> => {
  const dirs = [
    ...readdirSync(join(root, "packages")).sort().map((d) => join(root, "packages", d)),
    join(root, "examples"),
    ...readdirSync(join(root, "effect4")).sort().map((d) => join(root, "effect4", d))
  ]
  return dirs.flatMap((dir) => {
    const manifest = join(dir, "package.json")
    if (!existsSync(manifest)) return []
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; scripts?: Record<string, string> }
    const script = pkg.scripts?.bench
    if (script === undefined) return []
    const benchDir = join(dir, "bench")
    const files = existsSync(benchDir)
      ? readdirSync(benchDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "index.ts").map((f) =>
        f.slice(0, -3)
      ).sort()
      : []
    const effect4 = relative(root, dir).startsWith("effect4/")
    const name = `${effect4 ? "effect4-" : ""}${dir.split("/").pop()!}`
    return [{ name, packageName: pkg.name, dir, script, files, effect4 }]
  })
}

/** One thing to run: a whole suite (its `bench` script), or one file of it. */
interface Job {
  readonly name: string
  readonly suite: Suite
  readonly file?: string
}

const select = (suites: ReadonlyArray<Suite>, only: ReadonlyArray<string>): Array<Job> => {
  if (only.length === 0) return suites.map((suite) => ({ name: suite.name, suite }))
  return only.map((wanted) => {
    const [a, b] = wanted.split("/")
    const suite = suites.find((s) => s.name === a || s.packageName === a)
    if (suite !== undefined && b === undefined) return { name: suite.name, suite }
    if (suite !== undefined && b !== undefined && suite.files.includes(b)) {
      return { name: `${suite.name}/${b}`, suite, file: b }
    }
    const owners = suites.filter((s) => b === undefined && s.files.includes(a!))
    if (owners.length === 1) return { name: `${owners[0]!.name}/${a}`, suite: owners[0]!, file: a! }
    throw new Error(
      `--only ${wanted}: no such suite or file (${
        suites.map((s) => [s.name, ...s.files.map((f) => `${s.name}/${f}`)].join(", ")).join("; ")
      })`
    )
  })
}

/** The command line for a job: through pnpm when we run under it, else the script itself. */
const commandOf = (
  job: Job,
  rest: ReadonlyArray<string>
): { readonly display: string; readonly argv: ReadonlyArray<string> } => {
  const pnpm = process.env.npm_execpath
  const viaPnpm = pnpm !== undefined && /pnpm/.test(pnpm)
  // the lines share package names: an Effect 4 package is picked by its directory
  const selector = job.suite.effect4
    ? ["--dir", relative(root, job.suite.dir)]
    : ["--filter", job.suite.packageName]
  // one file: tsx, under Node 22 for the Effect 4 line (the script runs in the package's directory)
  const runFile = job.suite.effect4
    ? ["node", relative(job.suite.dir, join(root, "scripts", "node22.mjs")), "--import", "tsx"]
    : ["tsx"]
  const display = (job.file === undefined
    ? `pnpm ${selector.join(" ")} bench`
    : `pnpm ${selector.join(" ")} exec ${runFile.join(" ")} bench/${job.file}.ts`) +
    (rest.length === 0 ? "" : ` ${rest.join(" ")}`)
  if (viaPnpm) {
    const command = job.file === undefined
      ? [...selector, "run", "bench"]
      : [...selector, "exec", ...runFile, `bench/${job.file}.ts`]
    const head = pnpm.endsWith(".js") || pnpm.endsWith(".cjs") || pnpm.endsWith(".mjs")
      ? [process.execPath, pnpm]
      : [pnpm]
    return { display, argv: [...head, "--silent", ...command, ...rest] }
  }
  const script = job.file === undefined ? job.suite.script : `${runFile.join(" ")} bench/${job.file}.ts`
  return { display, argv: ["sh", "-c", `${script} "$@"`, "sh", ...rest] }
}

// ---------------------------------------------------------------------------
// running
// ---------------------------------------------------------------------------

let current: ChildProcess | undefined
const stopCurrent = () => {
  if (current?.pid !== undefined && current.exitCode === null) {
    try {
      process.kill(-current.pid, "SIGTERM")
    } catch {
      // already gone
    }
  }
}
process.on("SIGINT", () => {
  stopCurrent()
  process.exit(130)
})

const runJob = (
  job: Job,
  index: number,
  total: number,
  args: Args,
  figures: Array<Collected>
): Promise<JobResult> =>
  new Promise((resolve) => {
    const { argv, display } = commandOf(job, args.rest)
    const started = process.hrtime.bigint()
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9
    console.log(`\n▶ [${index}/${total}] ${job.name}   ${display}${args.quick ? "   (quick)" : ""}`)
    const pathKey = Object.keys(process.env).find((k) => k.toUpperCase() === "PATH") ?? "PATH"
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: job.suite.dir,
      env: {
        ...process.env,
        [pathKey]: [
          join(job.suite.dir, "node_modules", ".bin"),
          join(root, "node_modules", ".bin"),
          process.env[pathKey]
        ]
          .join(":"),
        // BENCH_ITERATIONS: read by the benchmarks that take their iteration count from it
        ...(args.quick ? { BENCH_QUICK: "1", BENCH_ITERATIONS: process.env.BENCH_ITERATIONS ?? "20000" } : {}),
        FORCE_COLOR: "0"
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    current = child
    let count = 0
    let lastOutput = elapsed()
    const onLine = (line: string) => {
      lastOutput = elapsed()
      const at = line.indexOf("BENCH {")
      if (at !== -1) {
        try {
          const figure = JSON.parse(line.slice(at + "BENCH ".length)) as Figure
          const existing = figures.findIndex((f) => f.id === figure.id)
          if (existing !== -1) figures.splice(existing, 1)
          figures.push({ ...figure, suite: job.name })
          count++
          console.log(`  │ ◆ ${figure.id} = ${formatNumber(figure.value)} ${figure.unit}`)
          return
        } catch {
          // not ours after all: print it as it is
        }
      }
      console.log(`  │ ${line}`)
    }
    createInterface({ input: child.stdout! }).on("line", onLine)
    createInterface({ input: child.stderr! }).on("line", onLine)
    const ticker = setInterval(() => {
      if (elapsed() - lastOutput >= 20) {
        console.log(`  … ${job.name} still running, ${clock(elapsed())}`)
        lastOutput = elapsed()
      }
      if (elapsed() > args.timeoutMinutes * 60) {
        console.log(`  ✗ ${job.name}: stopped after ${args.timeoutMinutes} minutes (--timeout)`)
        stopCurrent()
      }
    }, 1000)
    const finish = (exitCode: number | null) => {
      clearInterval(ticker)
      current = undefined
      const seconds = elapsed()
      console.log(
        `${exitCode === 0 ? "✓" : "✗"} ${job.name}: ${clock(seconds)}, ${count} figure${count === 1 ? "" : "s"}${
          exitCode === 0 ? "" : `, exit code ${exitCode}`
        }`
      )
      resolve({ name: job.name, command: display, seconds, exitCode, figures: count })
    }
    child.once("error", (error) => {
      console.log(`  │ ${error.message}`)
      finish(null)
    })
    child.once("close", (code) => finish(code))
  })

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const suites = discover()
  if (args.list) {
    for (const s of suites) console.log(`${s.name.padEnd(14)} ${s.packageName.padEnd(28)} ${s.files.join(", ")}`)
    return
  }
  let run: RunResult
  let stamp: string | undefined
  if (args.from !== undefined) {
    run = JSON.parse(readFileSync(args.from, "utf8")) as RunResult
    console.log(`reporting ${args.from} again (taken ${run.startedAt}); nothing is run`)
  } else {
    const jobs = select(suites, args.only)
    const startedAt = new Date().toISOString()
    const loadStart = os.loadavg()[0]!
    const started = process.hrtime.bigint()
    const m = machine()
    console.log(
      `pnpm bench${args.quick ? " --quick" : ""}: ${jobs.map((j) => j.name).join(", ")}\n` +
        `${m.cpu}, ${m.nproc} CPUs, Node ${m.node}; load average ${loadStart.toFixed(1)}` +
        (busy(loadStart, m.nproc) ? "  (the machine is busy: absolute figures will be noisy, compare ratios)" : "")
    )
    const figures: Array<Collected> = []
    const suitesRun: Array<JobResult> = []
    for (const [i, job] of jobs.entries()) suitesRun.push(await runJob(job, i + 1, jobs.length, args, figures))
    run = {
      startedAt,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      quick: args.quick,
      only: args.only,
      rest: args.rest,
      machine: m,
      loadAverage: { start: loadStart, end: os.loadavg()[0]! },
      suites: suitesRun,
      figures
    }
    stamp = startedAt.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")
  }
  const figures = run.figures
  console.log(`\nSummary (${clock(run.seconds)}, ${figures.length} figures)\n`)
  console.log(figures.length === 0 ? "(no BENCH lines were printed)" : table(figures))

  mkdirSync(resultsDir, { recursive: true })
  if (stamp !== undefined) {
    const json = JSON.stringify(run, null, 2) + "\n"
    writeFileSync(join(resultsDir, `${stamp}.json`), json)
    writeFileSync(join(resultsDir, "latest.json"), json)
  }

  const plots: Array<{ file: string; title: string }> = []
  for (const f of figures) {
    if (f.series === undefined || f.series.length === 0) continue
    const file = `${f.id.replace(/[^a-zA-Z0-9_.-]/g, "_")}.svg`
    writeFileSync(join(resultsDir, file), lineChart(f))
    plots.push({ file, title: f.plot?.title ?? f.title })
  }
  const ratiosTitle = "Ratios against their anchors, with the targets"
  const ratios = ratioChart(figures, ratiosTitle)
  if (ratios !== undefined) {
    writeFileSync(join(resultsDir, "ratios.svg"), ratios)
    plots.push({ file: "ratios.svg", title: ratiosTitle })
  }
  console.log(
    `\nwritten in ${relative(root, resultsDir)}/: ` +
      [...(stamp === undefined ? [] : [`${stamp}.json`, "latest.json"]), ...plots.map((p) => p.file)].join(", ")
  )

  if (args.writeDocs) {
    if (run.quick || run.only.length > 0) {
      console.log("note: --write-docs with --quick or --only writes only what this run measured")
    }
    const text = readFileSync(docsFile, "utf8")
    const rewritten = replaceBlock(
      text,
      docsBlock(run, plots.map((p) => ({ file: `bench-${p.file}`, title: p.title })))
    )
    if (rewritten === undefined) {
      console.log(`✗ --write-docs: ${relative(root, docsFile)} has no ${BEGIN} … ${END} block`)
      process.exitCode = 1
    } else {
      writeFileSync(docsFile, rewritten)
      mkdirSync(join(root, "docs", "img"), { recursive: true })
      for (const p of plots) copyFileSync(join(resultsDir, p.file), join(root, "docs", "img", `bench-${p.file}`))
      console.log(`rewrote the figures block of ${relative(root, docsFile)}; plots copied to docs/img/bench-*.svg`)
    }
  }
  if (run.suites.some((r) => r.exitCode !== 0)) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(2)
})
