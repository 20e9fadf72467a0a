import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import * as Writer from "@aio-request/kernel/prometheus/writer"
import * as Metric from "effect/Metric"
import type * as MetricKey from "effect/MetricKey"
import type * as MetricPair from "effect/MetricPair"
import type * as MetricState from "effect/MetricState"
import * as MetricRegistry from "./metricRegistry.js"

/**
 * The series of Effect's metric registry that a Prometheus scrape writes,
 * grouped into families: the kernel's series index over Effect's metric keys,
 * brought up to date from the registry in steps (the scrape decides when a
 * step ends and the event loop is given back).
 */

/**
 * One series: its key, and how to read its state (read when it is written).
 *
 * @internal
 */
export interface Series {
  readonly metricKey: MetricKey.MetricKey.Untyped
  readonly state: () => MetricState.MetricState.Untyped
}

/** @internal */
export type Family = SeriesIndex.Family<MetricKey.MetricKey.Untyped, Series>

/** @internal */
export type Families = SeriesIndex.Families<MetricKey.MetricKey.Untyped, Series>

/**
 * The series kept between scrapes, by the registry's metric keys.
 *
 * @internal
 */
export type Index = SeriesIndex.Index<MetricKey.MetricKey.Untyped, Series>

/** @internal */
export const makeIndex = (): Index => SeriesIndex.make()

/**
 * The families of a snapshot (every state already read).
 *
 * @internal
 */
export const familiesOf = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): Families => {
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
 * Brings an index up to date with the registry, step by step: the registry's
 * series are walked (a reference each) only when it holds more of them than
 * the index, and only the new ones are taken in. Were the registry's map not
 * readable, the families come from the public snapshot instead, in one step.
 *
 * @internal
 */
export class Collector {
  /** The families to write, once {@link step} has returned `true`. */
  families: Families
  private readonly index: Index
  private readonly map: ReturnType<typeof MetricRegistry.registryMap>
  private readonly entries: Iterator<[MetricKey.MetricKey.Untyped, MetricRegistry.Hook | undefined]> | undefined

  constructor(index: Index) {
    this.index = index
    this.families = index.families
    this.map = MetricRegistry.registryMap()
    this.entries = this.map === undefined || MetricRegistry.size(this.map) === index.size
      ? undefined
      : this.map[Symbol.iterator]()
  }

  /**
   * Takes in series until every one is in (`true`), or until `spent` (asked
   * every 256 series) says the slice is over (`false`: call again).
   */
  step(spent: () => boolean): boolean {
    const entries = this.entries
    if (entries === undefined) {
      if (this.map === undefined) this.families = familiesOf(Metric.unsafeSnapshot())
      return true
    }
    const index = this.index
    return Writer.takeIn(entries, ([metricKey, hook]) => {
      if (!SeriesIndex.has(index, metricKey) && typeof hook?.get === "function") {
        SeriesIndex.add(index, metricKey.name, metricKey, { metricKey, state: () => hook.get() })
      }
    }, spent)
  }
}
