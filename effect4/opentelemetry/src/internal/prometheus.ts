import * as Format from "@aio-request/kernel/prometheus/format"
import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import * as Writer from "@aio-request/kernel/prometheus/writer"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"

/**
 * A Prometheus scrape of Effect 4's metric registry: the kernel's text
 * format, series index and sliced writer, fed from the registry.
 *
 * Effect 4's registry (`Metric.MetricRegistry`) is a public `Map` from a
 * series key to its metadata (name, type, help text, attributes, and the
 * hook that reads its state): the scrape walks it a reference at a time, in
 * slices, keeps the series it has seen between scrapes (the kernel's index),
 * and reads each state only when its series is written. Unlike Effect 3's,
 * this registry can forget a series (`Metric` removal): a series whose key
 * no longer maps to its metadata is skipped, and the index is rebuilt at the
 * next scrape.
 */

type Metadata = Metric.Metric.Metadata<any, any>

/** One series: its key in the registry, and its metadata. */
interface Series {
  readonly key: string
  readonly metadata: Metadata
}

type Family = SeriesIndex.Family<Metadata, Series>

/**
 * Effect 4's runtime metrics (`child_fibers_active`, `child_fibers_started`,
 * `child_fiber_successes`, `child_fiber_failures`): exported only when asked for.
 *
 * @internal
 */
export const isRuntimeMetric = (name: string): boolean => name.startsWith("child_fiber")

/**
 * What a writer keeps between scrapes: the series index, the label part of
 * each series (by its metadata, which lives as long as the series) and the
 * `le` label of each bucket boundary.
 *
 * @internal
 */
export interface Cache {
  index: SeriesIndex.Index<Metadata, Series>
  /** A series was found removed from the registry: rebuild the index at the next scrape. */
  stale: boolean
  readonly labels: WeakMap<Metadata, string>
  readonly le: Format.LeLabels
}

/** @internal */
export const makeCache = (): Cache => ({
  index: SeriesIndex.make(),
  stale: false,
  labels: new WeakMap(),
  le: Format.makeLeLabels()
})

/** @internal */
export interface WriteOptions {
  readonly runtimeMetrics: boolean
  /** Lines written before the series, e.g. `target_info`. */
  readonly preamble: string
  /** The writer gives the event loop back once a slice has taken this long. Default 4 ms. */
  readonly sliceMillis?: number | undefined
}

/**
 * Where the text goes, as UTF-8 bytes: `write` returns `false` when the
 * receiver's buffer is full, and `drained` waits until it has room again.
 *
 * @internal
 */
export interface Sink {
  readonly write: (chunk: Uint8Array) => boolean
  readonly drained: Effect.Effect<void>
}

const writeLabels = (metadata: Metadata): string => {
  const attributes = metadata.attributes
  if (attributes === undefined) return ""
  const labels: Array<{ readonly key: string; readonly value: string }> = []
  for (const key in attributes) labels.push({ key, value: attributes[key]! })
  return Format.labelList(labels)
}

/** What the text format makes of a series (a counter's kind is in its state). */
const kindOf = (metadata: Metadata, state: any): Format.Kind => {
  switch (metadata.type) {
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

/**
 * Writes the exposition of the registry's metrics to `sink`, piece by piece:
 * first the list of series (a reference each, grouped by name), then the
 * text, each series' state read as it is written, in chunks of about 64 KiB.
 * Both passes run in slices of about `sliceMillis` of work; after each slice
 * the fiber sleeps for zero milliseconds (a macrotask), so requests and timers
 * waiting on the event loop run. When the receiver's buffer is full it waits
 * for it to drain (which does not count as giving the loop back: a socket
 * that takes the data at once emits `drain` from a tick).
 *
 * @internal
 */
export const write = (
  registry: Metric.MetricRegistry,
  context: Context.Context<never>,
  cache: Cache,
  options: WriteOptions,
  sink: Sink
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const clock = Context.get(context, Clock.Clock)
    const sliceNanos = BigInt(Math.round((options.sliceMillis ?? 4) * 1e6))
    // when the event loop was last given back
    let since = clock.currentTimeNanosUnsafe()
    const spent = (): boolean => clock.currentTimeNanosUnsafe() - since >= sliceNanos
    const giveBack: Effect.Effect<void> = Effect.andThen(
      Effect.sleep(0),
      Effect.sync(() => {
        since = clock.currentTimeNanosUnsafe()
      })
    )
    if (cache.stale) {
      cache.index = SeriesIndex.make()
      cache.stale = false
    }
    const index = cache.index
    // first the list of series, grouped by name (the registry interleaves them)
    const entries = registry.entries()
    const take = ([key, metadata]: [string, Metadata]): void => {
      if (!SeriesIndex.has(index, metadata)) SeriesIndex.add(index, metadata.id, metadata, { key, metadata })
    }
    const collect = (): Effect.Effect<void> =>
      Effect.suspend(() => Writer.takeIn(entries, take, spent) ? Effect.void : Effect.andThen(giveBack, collect()))
    const header = (family: Family): string => {
      const first = family.key
      return Format.header(kindOf(first, first.hooks.get(context)), family.name, first.description)
    }
    const series = (family: Family, { key, metadata }: Series): string => {
      if (registry.get(key) !== metadata) {
        cache.stale = true
        return ""
      }
      const state = metadata.hooks.get(context)
      const base = Format.metricName(family.name)
      const labels = SeriesIndex.cached(cache.labels, metadata, writeLabels)
      switch (metadata.type) {
        case "Histogram":
          return Format.histogram(base, labels, cache.le, state.buckets, state.count, state.sum)
        case "Counter":
          return Format.sample(Format.suffixed(kindOf(metadata, state), base), labels, state.count)
        case "Gauge":
          return Format.sample(base, labels, state.value)
        case "Frequency":
          return Format.frequency(Format.suffixed("frequency", base), labels, state.occurrences)
        case "Summary": {
          let out = ""
          for (const [quantile, value] of state.quantiles) out += Format.quantile(base, labels, quantile, value)
          return `${out}${Format.sumAndCount(base, labels, state.sum, state.count)}`
        }
        default:
          return ""
      }
    }
    let writer: Writer.Writer<Metadata, Series, Buffer<ArrayBuffer>>
    const slice = (): Effect.Effect<void> =>
      Effect.suspend(() => {
        switch (writer.step(spent)) {
          case "done":
            return Effect.void
          case "spent":
            return Effect.andThen(giveBack, slice())
          case "full":
            // wait for room; give the loop back only if the slice is spent
            return Effect.andThen(
              sink.drained,
              Effect.suspend(() => spent() ? Effect.andThen(giveBack, slice()) : slice())
            )
        }
      })
    return Effect.andThen(
      collect(),
      Effect.suspend(() => {
        writer = new Writer.Writer({
          preamble: options.preamble,
          families: SeriesIndex.select(
            index.families,
            options.runtimeMetrics ? () => true : (name) => !isRuntimeMetric(name)
          ),
          header,
          series,
          alloc: Buffer.allocUnsafe,
          write: sink.write
        })
        return slice()
      })
    )
  })
