import * as Format from "@aio-request/kernel/prometheus/format"
import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import * as Writer from "@aio-request/kernel/prometheus/writer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"

/**
 * What a Prometheus scrape reads of Effect 4's metric registry (the Effect 4
 * glue of `prometheus.ts`; packages/opentelemetry has its own, over Effect 3's
 * registry): `Metric.MetricRegistry` is a public `Map` from a series key to
 * its metadata (name, type, help text, attributes, and the hook that reads
 * its state). The scrape walks it a reference at a time, in slices, keeps the
 * series it has seen between scrapes (the kernel's index), and reads each
 * state only when its series is written, handed to the kernel's text format.
 * Unlike Effect 3's, this registry can forget a series (`Metric.remove`): a
 * series whose key no longer maps to its metadata is skipped, and the index
 * is rebuilt at the next scrape.
 */

/** What the text needs to know of a series besides its state: its metadata, or a snapshot's. */
interface Described {
  readonly id: string
  readonly type: Metric.Metric.Type
  readonly description: string | undefined
  readonly attributes: Metric.Metric.AttributeSet | undefined
}

/** One series: what it is, how to read its state, and whether the registry still holds it. */
interface Series {
  readonly described: Described
  readonly state: () => any
  readonly present: () => boolean
}

type Family = SeriesIndex.Family<Described, Series>
type Families = SeriesIndex.Families<Described, Series>

/**
 * What a writer keeps between scrapes: the series index, the label part of
 * each series (by its metadata, which lives as long as the series) and the
 * `le` label of each bucket boundary.
 *
 * @internal
 */
export interface Cache {
  index: SeriesIndex.Index<Described, Series>
  /** A series was found removed from the registry: rebuild the index at the next scrape. */
  stale: boolean
  readonly labels: WeakMap<Described, string>
  readonly le: Format.LeLabels
}

/** @internal */
export const makeCache = (): Cache => ({
  index: SeriesIndex.make(),
  stale: false,
  labels: new WeakMap(),
  le: Format.makeLeLabels()
})

/**
 * The registry a scrape reads: the `Metric.MetricRegistry` of its context,
 * and the context its hooks read states in.
 *
 * @internal
 */
export interface Registry {
  readonly registry: Metric.MetricRegistry
  readonly context: Context.Context<never>
}

/** @internal */
export const current: Effect.Effect<Registry> = Effect.map(
  Effect.context<never>(),
  (context) => ({ registry: Context.get(context, Metric.MetricRegistry), context })
)

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
  readonly header: (family: Family) => string
  readonly series: (family: Family, series: Series) => string
}

const writeLabels = (described: Described): string => {
  const attributes = described.attributes
  if (attributes === undefined) return ""
  const labels: Array<{ readonly key: string; readonly value: string }> = []
  for (const key in attributes) labels.push({ key, value: attributes[key]! })
  return Format.labelList(labels)
}

/** What the text format makes of a series (a counter's kind is in its state). */
const kindOf = (type: Metric.Metric.Type, state: any): Format.Kind => {
  switch (type) {
    case "Histogram":
      return "histogram"
    case "Summary":
      return "summary"
    case "Frequency":
      return "frequency"
    case "Counter":
      return state.incremental === true ? "monotonicCounter" : "counter"
    default:
      return "gauge"
  }
}

const header = (family: Family): string =>
  Format.header(kindOf(family.key.type, family.series[0]!.state()), family.name, family.key.description)

const seriesOf = (cache: Cache) => (family: Family, series: Series): string => {
  if (!series.present()) {
    cache.stale = true
    return ""
  }
  const state = series.state()
  const labels = SeriesIndex.cached(cache.labels, series.described, writeLabels)
  return Format.seriesLines(kindOf(series.described.type, state), family.name, labels, cache.le, state)
}

/**
 * One scrape of the registry: the registry's entries are walked step by step,
 * and the series the cache's index does not hold yet are taken in.
 *
 * @internal
 */
export const view = ({ context, registry }: Registry, cache: Cache): View => {
  if (cache.stale) {
    cache.index = SeriesIndex.make()
    cache.stale = false
  }
  const index = cache.index
  const entries = registry.entries()
  const take = ([key, metadata]: [string, Metric.Metric.Metadata<any, any>]): void => {
    if (!SeriesIndex.has(index, metadata)) {
      SeriesIndex.add(index, metadata.id, metadata, {
        described: metadata,
        state: () => metadata.hooks.get(context),
        present: () => registry.get(key) === metadata
      })
    }
  }
  return {
    collect: (spent) => Writer.takeIn(entries, take, spent),
    families: () => index.families,
    header,
    series: seriesOf(cache)
  }
}

const always = (): boolean => true

/**
 * The view of a snapshot (every state already read), for tests: the public
 * snapshot in one step, to compare the sliced scrape of the registry with.
 *
 * @internal
 */
export const snapshotView = (cache: Cache, snapshot: ReadonlyArray<Metric.Metric.Snapshot>): View => {
  const families: Families = SeriesIndex.makeFamilies()
  for (const described of snapshot) {
    SeriesIndex.addTo(families, described.id, described, { described, state: () => described.state, present: always })
  }
  return { collect: always, families: () => families, header, series: seriesOf(cache) }
}
