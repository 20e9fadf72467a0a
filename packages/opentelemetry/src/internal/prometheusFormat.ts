import * as Format from "@aio-request/kernel/prometheus/format"
import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import type * as MetricKey from "effect/MetricKey"
import * as MetricKeyType from "effect/MetricKeyType"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import type * as Series from "./prometheusSeries.js"

/**
 * Effect's metrics in the Prometheus text exposition format (version 0.0.4):
 * each metric key and state read into the kernel's writer. Histograms as
 * `name_bucket{...,le="0.005"}`, `name_sum`, `name_count`; incremental
 * counters as `name_total` (type `counter`); other counters and gauges as
 * gauges; frequencies as a counter per value (label `key`); summaries as
 * summaries. The format has no unit line: the latencies are in seconds, as
 * their help text says.
 */

/**
 * Effect's runtime metrics (`effect_fiber_*`): exported only when asked for.
 *
 * @internal
 */
export const isRuntimeMetric = (name: string): boolean => name.startsWith("effect_fiber_")

/**
 * What a writer keeps between scrapes to write less: the label part
 * (`a="x",b="y"`) of each series, by the registry's metric key (which lives
 * as long as the series), and the `le` label of each bucket boundary.
 *
 * @internal
 */
export interface Labels {
  readonly labels: WeakMap<MetricKey.MetricKey.Untyped, string>
  readonly le: Format.LeLabels
}

/** @internal */
export const makeLabels = (): Labels => ({ labels: new WeakMap(), le: Format.makeLeLabels() })

const writeLabels = (key: MetricKey.MetricKey.Untyped): string => Format.labelList(key.tags)

const labelsOf = (cache: Labels, key: MetricKey.MetricKey.Untyped): string =>
  SeriesIndex.cached(cache.labels, key, writeLabels)

/** What the text format makes of a key's type. */
const kindOf = (key: MetricKey.MetricKey.Untyped): Format.Kind => {
  const keyType = key.keyType
  if (MetricKeyType.isHistogramKey(keyType)) return "histogram"
  if (MetricKeyType.isSummaryKey(keyType)) return "summary"
  if (MetricKeyType.isFrequencyKey(keyType)) return "frequency"
  if (MetricKeyType.isCounterKey(keyType) && keyType.incremental) return "monotonicCounter"
  return "gauge"
}

/**
 * The `# HELP` and `# TYPE` lines of a family.
 *
 * @internal
 */
export const header = (family: Series.Family): string =>
  Format.header(kindOf(family.key), family.name, Option.getOrUndefined(family.key.description))

/**
 * The lines of one series, its state read now.
 *
 * @internal
 */
export const series = (cache: Labels, family: Series.Family, pair: Series.Series): string => {
  const base = Format.metricName(family.name)
  const key = pair.metricKey
  const state = pair.state()
  if (MetricState.isHistogramState(state)) {
    return Format.histogram(base, labelsOf(cache, key), cache.le, state.buckets, state.count, state.sum)
  }
  if (MetricState.isCounterState(state)) {
    return Format.sample(Format.suffixed(kindOf(key), base), labelsOf(cache, key), state.count)
  }
  if (MetricState.isGaugeState(state)) return Format.sample(base, labelsOf(cache, key), state.value)
  if (MetricState.isFrequencyState(state)) {
    return Format.frequency(Format.suffixed("frequency", base), labelsOf(cache, key), state.occurrences)
  }
  if (MetricState.isSummaryState(state)) {
    const labels = labelsOf(cache, key)
    let out = ""
    for (const [quantile, value] of state.quantiles) {
      out += Format.quantile(base, labels, quantile, Option.getOrUndefined(value))
    }
    return `${out}${Format.sumAndCount(base, labels, state.sum, state.count)}`
  }
  return ""
}
