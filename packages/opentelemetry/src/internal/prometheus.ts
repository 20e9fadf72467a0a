import * as Scrape from "@aio-request/kernel/prometheus/scrape"
import * as SeriesIndex from "@aio-request/kernel/prometheus/series"
import * as Effect from "effect/Effect"
import * as Line from "./line.js"
import * as Registry from "./registry.js"

/**
 * A Prometheus scrape: the exposition of Effect's metrics (the kernel's text
 * format, series index and writer, fed by `registry.ts`, each line's reader of
 * its metric registry) handed to a receiver in chunks of bytes, in slices of work.
 *
 * Work is sliced: the scrape hands out the text in pieces and gives the event
 * loop back between slices, so a scrape of many series never holds it for
 * long; when the receiver's buffer is full it waits for it to drain. The
 * label part of each series and the list of series are kept between scrapes.
 */

export type { Cache } from "./registry.js"
export { makeCache } from "./registry.js"

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

const everyFamily = (): boolean => true
const notRuntime = (name: string): boolean => !Line.isRuntimeMetric(name)

/** The families of a view to write: Effect's runtime metrics only when asked for. */
const familiesOf = (view: Registry.View, options: WriteOptions) =>
  SeriesIndex.select(view.families(), options.runtimeMetrics ? everyFamily : notRuntime)

/**
 * Writes the exposition of the registry's metrics (the one of the context it
 * runs in) to `sink`, piece by piece: first the list of series (a reference
 * each, grouped by name), then the text, each series' state read as it is
 * written, in chunks of about 64 KiB. Both passes run in slices of about
 * `sliceMillis` of work; after each slice the fiber gives the event loop
 * back (a timer, `Line.giveBack`), so requests and timers waiting on it run. When the receiver's buffer is full it waits for it to drain, so a
 * slow scraper costs no memory. (A series is as of the instant it is written,
 * as with prom-client; no scrape is a single instant.)
 *
 * Waiting for a drain does not count as giving the event loop back: a socket
 * that takes the data at once emits `drain` from a tick (`process.nextTick`),
 * and a writer that restarted its slice there would hold the loop for the
 * whole scrape. The slice's clock runs from the last time the loop was given back.
 *
 * @internal
 */
export const write = (cache: Registry.Cache, options: WriteOptions, sink: Sink): Effect.Effect<void> =>
  Effect.flatMap(Registry.current, (registry) => writeView(Registry.view(registry, cache), options, sink))

/**
 * Writes the exposition of `view` to `sink`, in slices (see {@link write}).
 *
 * @internal
 */
export const writeView = (view: Registry.View, options: WriteOptions, sink: Sink): Effect.Effect<void> =>
  Effect.clockWith((clock) =>
    Effect.suspend(() => {
      const sliceNanos = BigInt(Math.round((options.sliceMillis ?? 4) * 1e6))
      // when the event loop was last given back
      let since = Line.currentTimeNanos(clock)
      const spent = (): boolean => Line.currentTimeNanos(clock) - since >= sliceNanos
      const giveBack: Effect.Effect<void> = Effect.andThen(
        Line.giveBack,
        Effect.sync(() => {
          since = Line.currentTimeNanos(clock)
        })
      )
      const scrape = new Scrape.Scrape({
        preamble: options.preamble,
        collect: view.collect,
        families: () => familiesOf(view, options),
        header: view.header,
        series: view.series,
        alloc: Buffer.allocUnsafe,
        write: sink.write
      })
      const slice = (): Effect.Effect<void> =>
        Effect.suspend(() => {
          switch (scrape.step(spent)) {
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
      return slice()
    })
  )

/**
 * The whole exposition of `view` at once, as one string, in one synchronous
 * pass without the writer's chunks (tests: what the sliced scrape must write).
 *
 * @internal
 */
export const writeAll = (view: Registry.View, options: WriteOptions): string => {
  view.collect(() => false)
  let out = options.preamble
  for (const family of familiesOf(view, options)) {
    out += view.header(family)
    for (const series of family.series) out += view.series(family, series)
  }
  return out
}
