import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import * as Writer from "@aio-request/kernel/prometheus/writer"
import * as Effect from "effect/Effect"
import type * as MetricKey from "effect/MetricKey"
import type * as MetricPair from "effect/MetricPair"
import * as Format from "./prometheusFormat.js"
import * as Series from "./prometheusSeries.js"

/**
 * A Prometheus scrape: the exposition of Effect's metrics (written by
 * `prometheusFormat`, series listed by `prometheusSeries`) handed to a
 * receiver in chunks of bytes, in slices of work.
 *
 * Work is sliced: the writer hands out the text in pieces and gives the event
 * loop back between slices, so a scrape of many series never holds it for
 * long; when the receiver's buffer is full it waits for it to drain. The
 * label part of each series and the list of series are kept between scrapes.
 */

/**
 * What a writer keeps between scrapes: the label parts of the series and the
 * `le` labels of the bucket boundaries (see `prometheusFormat`), and the
 * registry's series grouped into families (see `prometheusSeries`).
 *
 * @internal
 */
export interface Cache extends Format.Labels {
  readonly index: Series.Index
}

/** @internal */
export const makeCache = (): Cache => ({ ...Format.makeLabels(), index: Series.makeIndex() })

/** @internal */
export interface WriteOptions {
  readonly runtimeMetrics: boolean
  /** Lines written before the series, e.g. `target_info`. */
  readonly preamble: string
  /** The writer gives the event loop back once a slice has taken this long. Default 4 ms. */
  readonly sliceMillis?: number | undefined
}

const everyFamily = (): boolean => true
const notRuntime = (name: string): boolean => !Format.isRuntimeMetric(name)

/**
 * The whole exposition of `snapshot` at once, as one string (tests).
 *
 * @internal
 */
export const writeAll = (
  cache: Cache,
  snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>,
  options: WriteOptions
): string => {
  let out = options.preamble
  for (const family of Series.familiesOf(snapshot).values()) {
    if (!options.runtimeMetrics && Format.isRuntimeMetric(family.name)) continue
    out += Format.header(family)
    for (const pair of family.series) out += Format.series(cache, family, pair)
  }
  return out
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

/**
 * Writes the exposition of the current metrics to `sink`, piece by piece:
 * first the list of series (a reference each, grouped by name), then the
 * text, each series' state read as it is written, in chunks of about 64 KiB.
 * Both passes run in slices of about `sliceMillis` of work; after each slice
 * the fiber sleeps for zero milliseconds (a macrotask), so requests and timers
 * waiting on the event loop run. When the receiver's buffer is full it waits
 * for it to drain, so a slow scraper costs no memory. (A series is as of the
 * instant it is written, as with prom-client; no scrape is a single instant.)
 *
 * Waiting for a drain does not count as giving the event loop back: a socket
 * that takes the data at once emits `drain` from a tick (`process.nextTick`),
 * and a writer that restarted its slice there would hold the loop for the
 * whole scrape. The slice's clock runs from the last zero-millisecond sleep.
 *
 * @internal
 */
export const write = (
  cache: Cache,
  options: WriteOptions,
  sink: Sink
): Effect.Effect<void> =>
  Effect.flatMap(Effect.clock, (clock) =>
    Effect.suspend(() => {
      const sliceNanos = BigInt(Math.round((options.sliceMillis ?? 4) * 1e6))
      // when the event loop was last given back
      let since = clock.unsafeCurrentTimeNanos()
      const spent = (): boolean => clock.unsafeCurrentTimeNanos() - since >= sliceNanos
      const giveBack: Effect.Effect<void> = Effect.zipRight(
        Effect.sleep(0),
        Effect.sync(() => {
          since = clock.unsafeCurrentTimeNanos()
        })
      )
      // first the list of series, grouped by name (the registry interleaves
      // them): the cache's index, brought up to date in slices; then the text
      const collector = new Series.Collector(cache.index)
      const collect = (): Effect.Effect<void> =>
        Effect.suspend(() => collector.step(spent) ? Effect.void : Effect.zipRight(giveBack, collect()))
      let writer: Writer.Writer<MetricKey.MetricKey.Untyped, Series.Series, Buffer<ArrayBuffer>>
      const slice = (): Effect.Effect<void> =>
        Effect.suspend(() => {
          switch (writer.step(spent)) {
            case "done":
              return Effect.void
            case "spent":
              return Effect.zipRight(giveBack, slice())
            case "full":
              // wait for room; give the loop back only if the slice is spent
              return Effect.zipRight(
                sink.drained,
                Effect.suspend(() => spent() ? Effect.zipRight(giveBack, slice()) : slice())
              )
          }
        })
      return Effect.zipRight(
        collect(),
        Effect.suspend(() => {
          writer = new Writer.Writer({
            preamble: options.preamble,
            families: SeriesIndex.select(collector.families, options.runtimeMetrics ? everyFamily : notRuntime),
            header: Format.header,
            series: (family, pair) => Format.series(cache, family, pair),
            alloc: Buffer.allocUnsafe,
            write: sink.write
          })
          return slice()
        })
      )
    }))
