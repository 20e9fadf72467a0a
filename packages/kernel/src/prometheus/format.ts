/**
 * The Prometheus text exposition format (version 0.0.4), as plain strings:
 * metric and label names made valid, label values and help text escaped,
 * numbers written as the format wants them (`+Inf`, `-Inf`, `NaN`), the
 * `# HELP` / `# TYPE` lines of a family and the sample lines of counters,
 * gauges, histograms (cumulative buckets, `+Inf` last, `_sum`, `_count`),
 * summaries and frequencies (a counter per value, label `key`).
 *
 * Label parts are passed in as written (`a="x",b="y"`, see {@link labelList})
 * so that a writer can keep them between scrapes: writing a sample then only
 * joins strings it already holds.
 */

const metricNameChars = /[^a-zA-Z0-9_:]/g
const labelNameChars = /[^a-zA-Z0-9_]/g
const leadingDigit = /^[0-9]/

/**
 * A metric name: every character outside `[a-zA-Z0-9_:]` becomes `_`, and a
 * leading digit gets a `_` in front (a non-empty name is then a valid one).
 */
export const metricName = (name: string): string => {
  const cleaned = name.replace(metricNameChars, "_")
  return leadingDigit.test(cleaned) ? `_${cleaned}` : cleaned
}

/** A label name's characters: every character outside `[a-zA-Z0-9_]` becomes `_`. */
export const labelChars = (name: string): string => name.replace(labelNameChars, "_")

/**
 * A label name: {@link labelChars}, and a leading digit gets a `_` in front
 * (a non-empty name is then a valid one).
 */
export const labelName = (name: string): string => {
  const cleaned = labelChars(name)
  return leadingDigit.test(cleaned) ? `_${cleaned}` : cleaned
}

const needsEscape = /[\\"\n]/

/** A label value as it goes between quotes: `\`, `"` and newline escaped. */
export const escapeLabelValue = (value: string): string =>
  needsEscape.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n") : value

/** Help text: `\` and newline escaped. */
export const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

/** A sample value: `NaN`, `+Inf`, `-Inf`, or the number as JavaScript writes it. */
export const formatNumber = (n: number | bigint): string =>
  typeof n === "bigint"
    ? n.toString()
    : Number.isNaN(n)
    ? "NaN"
    : n === Infinity
    ? "+Inf"
    : n === -Infinity
    ? "-Inf"
    : String(n)

/**
 * What a metric is, as far as the text format cares: `counter` is a counter
 * that may go down (written as a gauge), `monotonicCounter` one that only
 * goes up (a `counter`, name ending in `_total`), `frequency` a count per
 * value (a `counter` per value, `_total`).
 */
export type Kind = "counter" | "monotonicCounter" | "gauge" | "histogram" | "summary" | "frequency"

/** The `# TYPE` of a family. */
export type Type = "counter" | "gauge" | "histogram" | "summary"

/** The `# TYPE` a kind is written as. */
export const typeOf = (kind: Kind): Type =>
  kind === "monotonicCounter" || kind === "frequency"
    ? "counter"
    : kind === "histogram" || kind === "summary"
    ? kind
    : "gauge"

/**
 * The name the samples of a family of `kind` are written under, from its
 * metric name made valid (`base`): `_total` added to counters that lack it.
 */
export const suffixed = (kind: Kind, base: string): string =>
  (kind === "monotonicCounter" || kind === "frequency") && !base.endsWith("_total") ? `${base}_total` : base

/** The name a family of `kind` is written under: {@link metricName}, then {@link suffixed}. */
export const familyName = (kind: Kind, name: string): string => suffixed(kind, metricName(name))

/** The `# HELP` (when there is help text) and `# TYPE` lines of a family. */
export const header = (kind: Kind, name: string, help: string | undefined): string => {
  const written = familyName(kind, name)
  const helpLine = help === undefined ? "" : `# HELP ${written} ${escapeHelp(help)}\n`
  return `${helpLine}# TYPE ${written} ${typeOf(kind)}\n`
}

/** One label as it is written: `name="value"`, name made valid, value escaped. */
export const label = (name: string, value: string): string => `${labelName(name)}="${escapeLabelValue(value)}"`

/** A series' labels as they are written, without braces: `a="x",b="y"` (empty for none). */
export const labelList = (labels: Iterable<{ readonly key: string; readonly value: string }>): string => {
  let out = ""
  for (const tag of labels) out += `${out.length > 0 ? "," : ""}${label(tag.key, tag.value)}`
  return out
}

/** The label part of a sample line: `{labels}`, `{labels,extra}`, `{extra}` or nothing. */
export const braces = (labels: string, extra?: string): string => {
  if (extra !== undefined) return labels.length > 0 ? `{${labels},${extra}}` : `{${extra}}`
  return labels.length > 0 ? `{${labels}}` : ""
}

/** One sample line: `name{labels} value`. */
export const sample = (name: string, labels: string, value: number | bigint): string =>
  `${name}${braces(labels)} ${formatNumber(value)}\n`

/**
 * The `le="…"` label of each bucket boundary, kept by the writer between
 * scrapes (boundaries are few and shared by every series of a histogram).
 */
export type LeLabels = Map<number, string>

/** A fresh {@link LeLabels}. */
export const makeLeLabels = (): LeLabels => new Map()

/** The `le="…"` label of `boundary`. */
export const leLabel = (cache: LeLabels, boundary: number): string => {
  let le = cache.get(boundary)
  if (le === undefined) {
    le = `le="${formatNumber(boundary)}"`
    cache.set(boundary, le)
  }
  return le
}

/**
 * The lines of one histogram series: a `_bucket` line per boundary, `+Inf`
 * last (added with the total count when the buckets do not end at infinity),
 * then `_sum` and `_count`. `buckets` are `[boundary, count]` with boundaries
 * ascending and counts cumulative (each counts the observations at or below
 * its boundary), as a histogram keeps them.
 */
export const histogram = (
  base: string,
  labels: string,
  le: LeLabels,
  buckets: ReadonlyArray<readonly [number, number]>,
  count: number,
  sum: number
): string => {
  let out = ""
  for (const [boundary, n] of buckets) out += `${base}_bucket${braces(labels, leLabel(le, boundary))} ${n}\n`
  if (buckets.length === 0 || buckets[buckets.length - 1]![0] !== Infinity) {
    out += `${base}_bucket${braces(labels, `le="+Inf"`)} ${count}\n`
  }
  return `${out}${sumAndCount(base, labels, sum, count)}`
}

/** The `_sum` and `_count` lines of a histogram or summary series. */
export const sumAndCount = (base: string, labels: string, sum: number, count: number): string => {
  const written = braces(labels)
  return `${base}_sum${written} ${formatNumber(sum)}\n${base}_count${written} ${count}\n`
}

/** One quantile line of a summary series: `NaN` when the quantile has no value yet. */
export const quantile = (base: string, labels: string, q: number, value: number | undefined): string =>
  `${base}${braces(labels, `quantile="${formatNumber(q)}"`)} ${value === undefined ? "NaN" : formatNumber(value)}\n`

/** The lines of one frequency series: a counter per value (label `key`), under `name` (see {@link familyName}). */
export const frequency = (name: string, labels: string, occurrences: Iterable<readonly [string, number]>): string => {
  let out = ""
  for (const [value, count] of occurrences) {
    out += `${name}${braces(labels, `key="${escapeLabelValue(value)}"`)} ${count}\n`
  }
  return out
}

/**
 * The `target_info` family: one gauge sample of 1 whose labels describe the
 * process (`service_name`, …). Label names are passed in as written.
 */
export const targetInfo = (labels: ReadonlyArray<readonly [string, string]>): string =>
  `# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{${
    labels.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(",")
  }} 1\n`

/** What a histogram series holds: cumulative `[boundary, count]` buckets, ascending (see {@link histogram}). */
export interface HistogramState {
  readonly buckets: ReadonlyArray<readonly [number, number]>
  readonly count: number
  readonly sum: number
}

/** What a counter series holds. */
export interface CounterState {
  readonly count: number | bigint
}

/** What a gauge series holds. */
export interface GaugeState {
  readonly value: number | bigint
}

/** What a frequency series holds: a count per value. */
export interface FrequencyState {
  readonly occurrences: Iterable<readonly [string, number]>
}

/** What a summary series holds: each quantile's value (`undefined` while there is none). */
export interface SummaryState {
  readonly quantiles: Iterable<readonly [number, number | undefined]>
  readonly count: number
  readonly sum: number
}

/** A series' state as the text reads it, by {@link Kind} (Effect's own states have these fields). */
export type State = HistogramState | CounterState | GaugeState | FrequencyState | SummaryState

/**
 * The lines of one series of the family `name` (as registered; made valid
 * here), of `kind`, with its label part `labels` and its state read now.
 */
export const seriesLines = (kind: Kind, name: string, labels: string, le: LeLabels, state: State): string => {
  const base = metricName(name)
  switch (kind) {
    case "histogram": {
      const { buckets, count, sum } = state as HistogramState
      return histogram(base, labels, le, buckets, count, sum)
    }
    case "counter":
    case "monotonicCounter":
      return sample(suffixed(kind, base), labels, (state as CounterState).count)
    case "gauge":
      return sample(base, labels, (state as GaugeState).value)
    case "frequency":
      return frequency(suffixed(kind, base), labels, (state as FrequencyState).occurrences)
    case "summary": {
      const { count, quantiles, sum } = state as SummaryState
      let out = ""
      for (const [q, value] of quantiles) out += quantile(base, labels, q, value)
      return `${out}${sumAndCount(base, labels, sum, count)}`
    }
  }
}
