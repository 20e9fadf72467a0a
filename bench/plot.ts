/**
 * SVG plots for the benchmark runner, written by hand (a few dozen elements;
 * no plotting dependency): a line chart for figures that carry `series`, and
 * one bar chart of the ratio figures with each bar's target marked.
 */
import type { Figure, Plot } from "./figure.js"

const WIDTH = 760
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
const FONT = `font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"`

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** A short number for an axis or a label: 0.046, 1.8, 74, 1,950. */
export const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US")
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1).replace(/\.0$/, "")
  if (abs >= 1) return n.toFixed(2).replace(/\.?0+$/, "")
  if (abs === 0) return "0"
  return n.toPrecision(2)
}

const percentLabel = (p: number): string => `${Number((p * 100).toFixed(4))}%`

type Scale = (value: number) => number

/** A title's font size: 15, smaller for a long title so that it fits `width` (about 0.6 em per character). */
const titleSize = (title: string, width: number): number =>
  Math.max(9, Math.min(15, Math.floor(width / (0.6 * [...title].length))))

const transform = (kind: Plot["x"] | Plot["y"]) => (v: number): number =>
  kind === "log" ? Math.log10(v) : kind === "percentile" ? -Math.log10(1 - v) : v

/** Tick values for an axis over [min, max] in data units. */
const ticks = (kind: Plot["x"] | Plot["y"], min: number, max: number): Array<number> => {
  if (kind === "percentile") {
    const out: Array<number> = []
    for (let nines = 0; nines <= 6; nines++) {
      const p = 1 - Math.pow(10, -nines) * (nines === 0 ? 0.5 : 1)
      if (p >= min - 1e-12 && p <= max + 1e-12) out.push(p)
    }
    return out
  }
  if (kind === "log") {
    const out: Array<number> = []
    const decades = Math.ceil(Math.log10(max)) - Math.floor(Math.log10(min))
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of decades <= 3 ? [1, 2, 5] : [1]) {
        const v = m * Math.pow(10, e)
        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v)
      }
    }
    return out
  }
  const step = Math.pow(10, Math.floor(Math.log10((max - min) / 5 || 1)))
  const out: Array<number> = []
  for (let v = Math.ceil(min / step) * step; v <= max + step / 1e6; v += step) out.push(v)
  return out.length > 11 ? out.filter((_, i) => i % 2 === 0) : out
}

/** A line chart of `figure.series`, axes as `figure.plot` says. */
export const lineChart = (figure: Figure): string => {
  const series = figure.series ?? []
  const plot = figure.plot ?? {}
  const xKind = plot.x ?? "linear"
  const yKind = plot.y ?? "linear"
  const points = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  const xs = points.map(([x]) => x)
  const ys = points.map(([, y]) => y).filter((y) => yKind !== "log" || y > 0)
  let xMin = Math.min(...xs)
  let xMax = Math.max(...xs)
  let yMin = Math.min(...ys)
  let yMax = Math.max(...ys)
  if (yKind === "log") {
    yMin = Math.pow(10, Math.floor(Math.log10(yMin)))
    yMax = Math.pow(10, Math.ceil(Math.log10(yMax)))
  } else {
    yMin = Math.min(0, yMin)
  }
  if (xKind === "log") {
    xMin = Math.pow(10, Math.floor(Math.log10(xMin)))
    xMax = Math.pow(10, Math.ceil(Math.log10(xMax)))
  }
  const legendHeight = 18 * series.length
  const height = 420 + legendHeight
  const left = 70
  const right = WIDTH - 24
  const top = 48
  const bottom = 380
  const tx = transform(xKind)
  const ty = transform(yKind)
  const sx: Scale = (v) => left + (tx(v) - tx(xMin)) / ((tx(xMax) - tx(xMin)) || 1) * (right - left)
  const sy: Scale = (v) => bottom - (ty(v) - ty(yMin)) / ((ty(yMax) - ty(yMin)) || 1) * (bottom - top)

  const parts: Array<string> = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="24" font-size="${titleSize(plot.title ?? figure.title, WIDTH - 24)}" font-weight="600">${
      escape(plot.title ?? figure.title)
    }</text>`
  )
  for (const t of ticks(yKind, yMin, yMax)) {
    const y = sy(t).toFixed(1)
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${
        formatNumber(t)
      }</text>`
    )
  }
  for (const t of ticks(xKind, xMin, xMax)) {
    const x = sx(t).toFixed(1)
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#444">${
        xKind === "percentile" ? percentLabel(t) : formatNumber(t)
      }</text>`
    )
  }
  parts.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#888"/>`
  )
  if (plot.xLabel !== undefined) {
    parts.push(`<text x="${(left + right) / 2}" y="${bottom + 36}" text-anchor="middle">${escape(plot.xLabel)}</text>`)
  }
  if (plot.yLabel !== undefined) {
    parts.push(
      `<text transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${
        escape(plot.yLabel)
      }</text>`
    )
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!
    const visible = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (yKind !== "log" || y > 0))
    const path = visible.map(([x, y], j) => `${j === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`)
    for (const [x, y] of visible) {
      parts.push(
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"><title>${
          escape(`${s.name}: ${xKind === "percentile" ? percentLabel(x) : formatNumber(x)} → ${formatNumber(y)}`)
        }</title></circle>`
      )
    }
    const ly = 420 + i * 18
    parts.push(
      `<line x1="${left}" x2="${left + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${left + 32}" y="${ly}" dominant-baseline="middle">${escape(s.name)}</text>`
    )
  })
  parts.push("</svg>")
  return parts.join("\n") + "\n"
}

/** The number and direction of a target such as `"≥ 0.80"`, `"≤ 1.1"` or `"≥ 24× at ≤ 2% extra"` (the first one). */
export const parseTarget = (
  target: string | undefined
): { readonly op: "≥" | "≤"; readonly value: number } | undefined => {
  if (target === undefined) return undefined
  const match = /(≥|≤|>=|<=|>|<)\s*([0-9][0-9,]*(?:\.[0-9]+)?)/.exec(target)
  if (match === null) return undefined
  const op = match[1] === "≥" || match[1] === ">=" || match[1] === ">" ? "≥" : "≤"
  return { op, value: Number(match[2]!.replace(/,/g, "")) }
}

/**
 * The value a ratio chart shows for a figure, with its target on the same
 * scale: a figure in `"x"` is itself a ratio (its target applies to `value`);
 * another figure shows its `ratio` when its target is written as a multiple
 * (`"≤ 1.0× cockatiel"`). Other figures are not ratios: undefined.
 */
export const ratioOf = (
  figure: Figure
): { readonly value: number; readonly target: ReturnType<typeof parseTarget> } | undefined => {
  if (figure.unit === "x" && Number.isFinite(figure.value)) {
    return { value: figure.value, target: parseTarget(figure.target) }
  }
  if (figure.ratio !== undefined && Number.isFinite(figure.ratio) && figure.target?.includes("×") === true) {
    return { value: figure.ratio, target: parseTarget(figure.target) }
  }
  return undefined
}

/** Horizontal bars, log scale, one per ratio figure, its target as a dashed mark; green when met, red when missed. */
export const ratioChart = (figures: ReadonlyArray<Figure>, title: string): string | undefined => {
  const rows = figures.flatMap((figure) => {
    const r = ratioOf(figure)
    return r === undefined || r.value <= 0 ? [] : [{ figure, ...r }]
  })
  if (rows.length === 0) return undefined
  const values = rows.flatMap((
    r
  ) => [r.value, ...(r.target !== undefined && r.target.value > 0 ? [r.target.value] : [])])
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1) * 1.05)))
  const rowHeight = 26
  const left = 300
  const right = WIDTH - 70
  const top = 56
  const bottom = top + rows.length * rowHeight
  const height = bottom + 56
  const sx = (v: number) => left + (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * (right - left)
  const parts: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="24" font-size="${titleSize(title, WIDTH - 24)}" font-weight="600">${escape(title)}</text>`,
    `<text x="12" y="42" fill="#555">bar: this run (log scale); dashed mark: the target; green met, red missed, grey no verdict</text>`
  ]
  for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e++) {
    const v = Math.pow(10, e)
    const x = sx(v).toFixed(1)
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top - 4}" y2="${bottom}" stroke="${v === 1 ? "#999" : "#e5e5e5"}"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#444">${formatNumber(v)}×</text>`
    )
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight
    const color = row.figure.met === true ? "#2ca02c" : row.figure.met === false ? "#d62728" : "#9e9e9e"
    const x0 = sx(lo)
    const x1 = sx(row.value)
    const label = row.figure.id.length > 44 ? `${row.figure.id.slice(0, 43)}…` : row.figure.id
    parts.push(
      `<text x="${left - 8}" y="${y + rowHeight / 2}" text-anchor="end" dominant-baseline="middle">${
        escape(label)
      }<title>${escape(row.figure.title)}</title></text>`,
      `<rect x="${x0.toFixed(1)}" y="${y + 5}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${
        rowHeight - 10
      }" fill="${color}" opacity="0.85"/>`,
      `<text x="${(x1 + 4).toFixed(1)}" y="${y + rowHeight / 2}" dominant-baseline="middle" fill="#222">${
        formatNumber(row.value)
      }×</text>`
    )
    if (row.target !== undefined && row.target.value > 0) {
      const xt = sx(row.target.value).toFixed(1)
      parts.push(
        `<line x1="${xt}" x2="${xt}" y1="${y + 1}" y2="${
          y + rowHeight - 1
        }" stroke="#000" stroke-width="2" stroke-dasharray="3 2"><title>target ${
          escape(row.figure.target ?? "")
        }</title></line>`
      )
    }
  })
  parts.push(
    `<text x="${(left + right) / 2}" y="${
      bottom + 36
    }" text-anchor="middle">ratio (figures in × as reported; others: value / anchor)</text>`,
    "</svg>"
  )
  return parts.join("\n") + "\n"
}
