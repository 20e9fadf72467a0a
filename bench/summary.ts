/**
 * The runner's output, as plain functions: the summary table, the machine
 * description, and the figures block of docs/performance.md.
 */
import * as os from "node:os"
import type { Figure } from "./figure.js"
import { formatNumber } from "./plot.js"

export const BEGIN = "<!-- bench:begin -->"
export const END = "<!-- bench:end -->"

/** A figure as the runner collected it: which job printed it. */
export interface Collected extends Figure {
  readonly suite: string
}

/** One job the runner ran. */
export interface JobResult {
  readonly name: string
  readonly command: string
  readonly seconds: number
  readonly exitCode: number | null
  readonly figures: number
}

export interface Machine {
  readonly cpu: string
  readonly nproc: number
  readonly node: string
  readonly platform: string
  readonly memoryGiB: number
}

/** The run as written to `bench/results/*.json`. */
export interface RunResult {
  readonly startedAt: string
  readonly seconds: number
  readonly quick: boolean
  readonly only: ReadonlyArray<string>
  /** Arguments after `--`, handed to the benchmarks. */
  readonly rest?: ReadonlyArray<string> | undefined
  readonly machine: Machine
  readonly loadAverage: { readonly start: number; readonly end: number }
  readonly suites: ReadonlyArray<JobResult>
  readonly figures: ReadonlyArray<Collected>
}

export const machine = (): Machine => ({
  cpu: os.cpus()[0]?.model ?? "unknown",
  nproc: os.availableParallelism(),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10
})

/** `42s`, `3m 05s`. */
export const clock = (seconds: number): string => {
  const s = Math.round(seconds)
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`
}

/** Whether the machine was busy enough that absolute figures are noisy. */
export const busy = (load: number, nproc: number): boolean => load > nproc * 0.5

const cell = (n: number | undefined, unit = ""): string =>
  n === undefined || !Number.isFinite(n) ? "" : `${formatNumber(n)}${unit === "" ? "" : ` ${unit}`}`

const verdict = (met: boolean | undefined): string => met === true ? "yes" : met === false ? "NO" : ""

interface Row {
  readonly figure: string
  readonly value: string
  readonly anchor: string
  readonly ratio: string
  readonly target: string
  readonly met: string
}

const rowOf = (f: Figure): Row => ({
  figure: f.id,
  value: cell(f.value, f.unit),
  anchor: [f.anchor, f.anchorValue === undefined ? undefined : cell(f.anchorValue)]
    .filter((s) => s !== undefined)
    .join(": "),
  ratio: cell(f.ratio),
  target: f.target ?? "",
  met: verdict(f.met)
})

/** The summary table printed at the end of a run, columns aligned. */
export const table = (figures: ReadonlyArray<Figure>): string => {
  const header: Row = {
    figure: "figure",
    value: "our value",
    anchor: "anchor",
    ratio: "ratio",
    target: "target",
    met: "met"
  }
  const rows = [header, ...figures.map(rowOf)]
  const keys = Object.keys(header) as Array<keyof Row>
  const widths = keys.map((k) => Math.max(...rows.map((r) => [...r[k]].length)))
  const line = (r: Row) => keys.map((k, i) => r[k] + " ".repeat(widths[i]! - [...r[k]].length)).join("  ").trimEnd()
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n")
}

const md = (s: string) => s.replace(/\|/g, "\\|")

/** The figures block of docs/performance.md for a run, markers included. */
export const docsBlock = (
  run: RunResult,
  plots: ReadonlyArray<{ readonly file: string; readonly title: string }>
): string => {
  const m = run.machine
  const rest = run.rest !== undefined && run.rest.length > 0 ? ` -- ${run.rest.join(" ")}` : ""
  const flags = `${run.quick ? " --quick" : ""}${run.only.length > 0 ? ` --only ${run.only.join(",")}` : ""}${rest}`
  const lines = [
    BEGIN,
    "",
    `Measured ${run.startedAt.slice(0, 16).replace("T", " ")} UTC with \`pnpm bench${flags}\` (${
      clock(run.seconds)
    }) on ${m.cpu}, ${m.nproc} CPUs, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. Load average ${
      run.loadAverage.start.toFixed(1)
    } at the start, ${run.loadAverage.end.toFixed(1)} at the end${
      busy(Math.max(run.loadAverage.start, run.loadAverage.end), m.nproc)
        ? `: the machine was busy with other work, so absolute figures are noisy (up to 2× or worse);` +
          ` compare the ratios within the run`
        : ""
    }.`,
    "",
    "| figure | our value | anchor | ratio | target | met | reproduce |",
    "|---|---:|---|---:|---|---|---|",
    ...run.figures.map((f) => {
      const r = rowOf(f)
      return `| ${md(f.title)} (\`${r.figure}\`) | ${r.value} | ${md(r.anchor)} | ${r.ratio} | ${
        md(r.target)
      } | ${r.met} | ` +
        `\`pnpm bench --only ${f.suite}${rest}\` |`
    }),
    "",
    ...run.suites.filter((j) => j.exitCode !== 0).map((j) => `Suite \`${j.name}\` failed (exit code ${j.exitCode}).\n`),
    ...plots.map((p) => `![${p.title}](img/${p.file})\n`),
    END
  ]
  return lines.join("\n")
}

/**
 * `text` with the block between the markers (markers included) replaced, or
 * undefined when the markers are missing. A marker counts only on a line of
 * its own, so prose may name the markers.
 */
export const replaceBlock = (text: string, block: string): string | undefined => {
  const begin = /^<!-- bench:begin -->[ \t]*$/m.exec(text)
  if (begin === null) return undefined
  const after = begin.index + begin[0].length
  const end = /^<!-- bench:end -->[ \t]*$/m.exec(text.slice(after))
  if (end === null) return undefined
  return text.slice(0, begin.index) + block + text.slice(after + end.index + end[0].length)
}
