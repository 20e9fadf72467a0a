import * as Format from "@aio-request/kernel/prometheus/format"
import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import * as Writer from "@aio-request/kernel/prometheus/writer"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as MetricKey from "effect/MetricKey"
import * as MetricKeyType from "effect/MetricKeyType"
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import * as MetricRegistry from "./metricRegistry.js"

/**
 * What a Prometheus scrape reads of Effect 3's metric registry (the Effect 3
 * glue of `prometheus.ts`; effect4/opentelemetry has its own, over Effect 4's
 * public registry): the registry's series, grouped into families by the
 * kernel's series index and kept between scrapes (Effect 3's registry never
 * forgets a series), each metric key's type, help text and labels, and each
 * state, read only when its series is written, handed to the kernel's text
 * format. Incremental counters are `name_total` (type `counter`), other
 * counters and gauges gauges, frequencies a counter per value (label `key`).
 */

type Key = MetricKey.MetricKey.Untyped

/** One series: its key, and how to read its state (read when it is written). */
interface Series {
  readonly metricKey: Key
  readonly state: () => MetricState.MetricState.Untyped
}

type Families = SeriesIndex.Families<Key, Series>

/**
 * What a writer keeps between scrapes: the registry's series grouped into
 * families, the label part of each series (by the registry's metric key,
 * which lives as long as the series) and the `le` label of each boundary.
 *
 * @internal
 */
export interface Cache {
  readonly index: SeriesIndex.Index<Key, Series>
  readonly labels: WeakMap<Key, string>
  readonly le: Format.LeLabels
}

/** @internal */
export const makeCache = (): Cache => ({ index: SeriesIndex.make(), labels: new WeakMap(), le: Format.makeLeLabels() })

/**
 * The registry a scrape reads: Effect 3 has one, global to the process.
 *
 * @internal
 */
export type Registry = typeof Metric.globalMetricRegistry

/** @internal */
export const current: Effect.Effect<Registry> = Effect.sync(() => Metric.globalMetricRegistry)

/**
 * What one scrape reads of the registry: `collect` takes in its series (until
 * `spent`), then `families` are written with `header` and `series` (see the
 * kernel's `Scrape.Source`).
 *
 * @internal
 */
export interface View {
  readonly collect: (spent: () => boolean) => boolean
  readonly families: () => Families
  readonly header: (family: SeriesIndex.Family<Key, Series>) => string
  readonly series: (family: SeriesIndex.Family<Key, Series>, series: Series) => string
}

/** What the text format makes of a key's type. */
const kindOf = (key: Key): Format.Kind => {
  const keyType = key.keyType
  if (MetricKeyType.isHistogramKey(keyType)) return "histogram"
  if (MetricKeyType.isSummaryKey(keyType)) return "summary"
  if (MetricKeyType.isFrequencyKey(keyType)) return "frequency"
  if (MetricKeyType.isCounterKey(keyType)) return keyType.incremental ? "monotonicCounter" : "counter"
  return "gauge"
}

const writeLabels = (key: Key): string => Format.labelList(key.tags)

/** A state as the kernel's format reads it (a summary's quantiles without `Option`). */
const stateOf = (state: MetricState.MetricState.Untyped): Format.State =>
  MetricState.isSummaryState(state)
    ? {
      quantiles: state.quantiles.map(([q, value]) => [q, Option.getOrUndefined(value)] as const),
      count: state.count,
      sum: state.sum
    }
    : state as unknown as Format.State

const seriesOf = (cache: Cache) => (family: SeriesIndex.Family<Key, Series>, pair: Series): string =>
  Format.seriesLines(
    kindOf(pair.metricKey),
    family.name,
    SeriesIndex.cached(cache.labels, pair.metricKey, writeLabels),
    cache.le,
    stateOf(pair.state())
  )

const header = (family: SeriesIndex.Family<Key, Series>): string =>
  Format.header(kindOf(family.key), family.name, Option.getOrUndefined(family.key.description))

/** The families of a snapshot (every state already read). */
const familiesOf = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): Families => {
  const families: Families = SeriesIndex.makeFamilies()
  for (const pair of snapshot) {
    SeriesIndex.addTo(families, pair.metricKey.name, pair.metricKey, {
      metricKey: pair.metricKey,
      state: () => pair.metricState
    })
  }
  return families
}

/**
 * One scrape of the registry: the cache's index is brought up to date step by
 * step (the registry's series are walked, a reference each, only when it holds
 * more of them than the index, and only the new ones are taken in). Were the
 * registry's map not readable, the families come from the public snapshot
 * instead, in one step.
 *
 * @internal
 */
export const view = (_registry: Registry, cache: Cache): View => {
  const index = cache.index
  const map = MetricRegistry.registryMap()
  const entries = map === undefined || MetricRegistry.size(map) === index.size ? undefined : map[Symbol.iterator]()
  let families: Families = index.families
  return {
    collect: (spent) => {
      if (entries === undefined) {
        if (map === undefined) families = familiesOf(Metric.unsafeSnapshot())
        return true
      }
      return Writer.takeIn(entries, ([metricKey, hook]) => {
        if (!SeriesIndex.has(index, metricKey) && typeof hook?.get === "function") {
          SeriesIndex.add(index, metricKey.name, metricKey, { metricKey, state: () => hook.get() })
        }
      }, spent)
    },
    families: () => families,
    header,
    series: seriesOf(cache)
  }
}

/**
 * The view of a snapshot (every state already read), for tests: the public
 * snapshot in one step, to compare the sliced scrape of the registry with.
 *
 * @internal
 */
export const snapshotView = (cache: Cache, snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): View => {
  const families = familiesOf(snapshot)
  return { collect: () => true, families: () => families, header, series: seriesOf(cache) }
}
