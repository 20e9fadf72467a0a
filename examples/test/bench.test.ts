/**
 * The benchmark runner's output (bench/summary.ts, bench/plot.ts): what a
 * reader of the summary, the plots and docs/performance.md relies on. Nothing
 * here measures a speed.
 */
import { describe, expect, it } from "vitest"
import type { Figure } from "../../bench/figure.js"
import { formatNumber, lineChart, parseTarget, ratioChart, ratioOf } from "../../bench/plot.js"
import { BEGIN, docsBlock, END, replaceBlock, type RunResult, table } from "../../bench/summary.js"

const figure = (over: Partial<Figure> & Pick<Figure, "id">): Figure => ({
  title: over.id,
  value: 1,
  unit: "x",
  ...over
})

const run = (figures: ReadonlyArray<Figure>, load = 0.2): RunResult => ({
  startedAt: "2026-11-29T08:00:00.000Z",
  seconds: 125,
  quick: false,
  only: [],
  machine: { cpu: "Test CPU", nproc: 2, node: "v20.20.2", platform: "linux 6", memoryGiB: 4 },
  loadAverage: { start: load, end: load },
  suites: [{ name: "core", command: "pnpm --filter @aio-request/core bench", seconds: 60, exitCode: 0, figures: 1 }],
  figures: figures.map((f) => ({ ...f, suite: "core" }))
})

describe("bench summary", () => {
  it("formats numbers for people", () => {
    expect(formatNumber(1949.6)).toBe("1,950")
    expect(formatNumber(74)).toBe("74")
    expect(formatNumber(24.32)).toBe("24.3")
    expect(formatNumber(1.1)).toBe("1.1")
    expect(formatNumber(0.0456)).toBe("0.046")
  })

  it("reads the direction and number of a target", () => {
    expect(parseTarget("≥ 0.80")).toEqual({ op: "≥", value: 0.8 })
    expect(parseTarget("≤ 1.0× cockatiel")).toEqual({ op: "≤", value: 1 })
    expect(parseTarget("≥ 24× at ≤ 2% extra")).toEqual({ op: "≥", value: 24 })
    expect(parseTarget("<= 1,000")).toEqual({ op: "≤", value: 1000 })
    expect(parseTarget("as fast as possible")).toBeUndefined()
  })

  it("charts ratios: figures in x by value, others by ratio when the target is a multiple", () => {
    expect(ratioOf(figure({ id: "a", value: 0.46, target: "≥ 0.95" }))).toEqual({
      value: 0.46,
      target: { op: "≥", value: 0.95 }
    })
    expect(ratioOf(figure({ id: "b", unit: "ns/op", value: 1903, ratio: 3.7, target: "≤ 1.0× cockatiel" }))?.value)
      .toBe(3.7)
    expect(ratioOf(figure({ id: "c", unit: "ms", value: 74, ratio: 0.04 }))).toBeUndefined()
  })

  it("prints one aligned row per figure, with the verdict", () => {
    const text = table([
      figure({
        id: "client.ratio",
        value: 0.46,
        anchor: "bare",
        anchorValue: 2245,
        ratio: 0.46,
        target: "≥ 0.95",
        met: false
      }),
      figure({ id: "tail.reduction", value: 33, target: "≥ 24×", met: true })
    ])
    const lines = text.split("\n")
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^figure\s+our value\s+anchor\s+ratio\s+target\s+met$/)
    expect(lines[2]).toMatch(/^client\.ratio\s+0\.46 x\s+bare: 2,245\s+0\.46\s+≥ 0\.95\s+NO$/)
    expect(lines[3]).toMatch(/tail\.reduction\s+33 x .*yes$/)
  })

  it("rewrites only the marked block of a document", () => {
    const doc = `# Performance\n\nintro names \`${BEGIN}\` and \`${END}\`\n\n${BEGIN}\nold figures\n${END}\n\nafter\n`
    const block = docsBlock(run([figure({ id: "core.x", value: 2, target: "≤ 1", met: false })]), [
      { file: "bench-ratios.svg", title: "Ratios" }
    ])
    const out = replaceBlock(doc, block)!
    expect(out.startsWith(`# Performance\n\nintro names \`${BEGIN}\` and \`${END}\`\n\n${BEGIN}\n`)).toBe(true)
    expect(out.endsWith("\n\nafter\n")).toBe(true)
    expect(out).not.toContain("old figures")
    expect(out).toContain("| core.x (`core.x`) | 2 x |")
    expect(out).toContain("`pnpm bench --only core`")
    expect(out).toContain("![Ratios](img/bench-ratios.svg)")
    expect(out).toContain("Test CPU, 2 CPUs")
    expect(out).not.toContain("noisy")
    // rewriting again replaces the block instead of nesting it
    expect(replaceBlock(out, block)).toBe(out)
    expect(replaceBlock("no markers", block)).toBeUndefined()
  })

  it("gives the exact command, arguments to the benchmarks included", () => {
    const block = docsBlock(
      { ...run([figure({ id: "tail.x" })]), only: ["tail-at-scale"], rest: ["--rate", "100"] },
      []
    )
    expect(block).toContain("with `pnpm bench --only tail-at-scale -- --rate 100`")
    expect(block).toContain("| `pnpm bench --only core -- --rate 100` |")
  })

  it("says so in the docs when the machine was busy", () => {
    expect(docsBlock(run([], 6), [])).toContain("the machine was busy")
  })
})

describe("bench plots", () => {
  it("draws one line per series, with its name in the legend", () => {
    const svg = lineChart(figure({
      id: "tail",
      series: [
        { name: "single", points: [[0.5, 6], [0.99, 1500], [0.999, 1950]] },
        { name: "hedged", points: [[0.5, 6.2], [0.99, 18], [0.999, 40]] }
      ],
      plot: { x: "percentile", y: "log", title: "latency <by> percentile" }
    }))
    expect(svg.startsWith("<svg")).toBe(true)
    expect(svg.match(/<path /g)).toHaveLength(2)
    expect(svg).toContain(">single<")
    expect(svg).toContain(">hedged<")
    expect(svg).toContain("latency &lt;by&gt; percentile")
    expect(svg).toContain(">99.9%<")
    expect(svg).not.toContain("NaN")
  })

  it("draws a bar per ratio figure with its target mark, and nothing without ratios", () => {
    const svg = ratioChart([
      figure({ id: "a", value: 0.46, target: "≥ 0.95", met: false }),
      figure({ id: "b", value: 33, target: "≥ 24× at ≤ 2% extra", met: true }),
      figure({ id: "c", unit: "ms", value: 74 })
    ], "Ratios")!
    expect(svg.match(/<rect x=/g)).toHaveLength(2)
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2)
    expect(svg).not.toContain("NaN")
    expect(ratioChart([figure({ id: "c", unit: "ms", value: 74 })], "Ratios")).toBeUndefined()
  })
})
