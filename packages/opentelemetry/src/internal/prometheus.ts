import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as MetricKey from "effect/MetricKey"
import * as MetricKeyType from "effect/MetricKeyType"
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"
import * as MutableHashMap from "effect/MutableHashMap"
import * as Option from "effect/Option"

/**
 * The Prometheus text exposition format (version 0.0.4), written straight from
 * Effect's metric snapshot: histograms as `name_bucket{...,le="0.005"}`,
 * `name_sum`, `name_count`; incremental counters as `name_total` (type
 * `counter`); other counters and gauges as gauges; frequencies as a counter
 * per value (label `key`); summaries as summaries. The format has no unit
 * line: the latencies are in seconds, as their help text says.
 *
 * Work is sliced: the writer hands out the text in pieces and gives the event
 * loop back between slices, so a scrape of many series never holds it for
 * long. The label part of each series is kept between scrapes (keyed by the
 * registry's own metric key, which lives as long as the series).
 */

/** Effect's runtime metrics (`effect_fiber_*`): exported only when asked for. */
export const isRuntimeMetric = (name: string): boolean => name.startsWith("effect_fiber_")

const metricNameChars = /[^a-zA-Z0-9_:]/g
const labelNameChars = /[^a-zA-Z0-9_]/g

const metricName = (name: string): string => {
  const cleaned = name.replace(metricNameChars, "_")
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned
}

const labelName = (name: string): string => {
  const cleaned = name.replace(labelNameChars, "_")
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned
}

const needsEscape = /[\\"\n]/

/** @internal */
export const escapeLabelValue = (value: string): string =>
  needsEscape.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n") : value

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const number = (n: number | bigint): string =>
  typeof n === "bigint"
    ? n.toString()
    : Number.isNaN(n)
    ? "NaN"
    : n === Infinity
    ? "+Inf"
    : n === -Infinity
    ? "-Inf"
    : String(n)

/** One series: its key, and how to read its state (read when it is written). */
interface Series {
  readonly metricKey: MetricKey.MetricKey.Untyped
  readonly state: () => MetricState.MetricState.Untyped
}

/** A family: every series of one metric name, written together. */
interface Family {
  readonly name: string
  readonly key: MetricKey.MetricKey.Untyped
  readonly pairs: Array<Series>
}

interface Hook {
  readonly get: () => MetricState.MetricState.Untyped
}

/**
 * The registry's own map of hooks: Effect 3's registry keeps them in a
 * `MutableHashMap` (`map`), which we walk (a reference per series) so that
 * each state is read only when its series is written, slice by slice. Were
 * that field ever missing, the public snapshot (every state read at once) is
 * used instead.
 */
const registryMap = ():
  | MutableHashMap.MutableHashMap<MetricKey.MetricKey.Untyped, Hook | undefined>
  | undefined =>
{
  const map = (Metric.globalMetricRegistry as unknown as { readonly map?: unknown }).map
  return typeof map === "object" && map !== null && Symbol.for("effect/MutableHashMap") in map
    ? map as MutableHashMap.MutableHashMap<MetricKey.MetricKey.Untyped, Hook | undefined>
    : undefined
}

const seriesOf = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): Array<Series> =>
  snapshot.map((pair) => ({ metricKey: pair.metricKey, state: () => pair.metricState }))

/**
 * What a writer keeps between scrapes: the label part (`a="x",b="y"`) of each
 * series, by the registry's metric key; the `le` values of each bucket
 * boundary; and the registry's series grouped into families. Effect 3's
 * registry never forgets a series, so a scrape only adds the series that are
 * new since the last one (and walks the registry only when it has grown):
 * the list of series is not rebuilt, and left for the garbage collector,
 * at every scrape.
 *
 * @internal
 */
export interface Cache {
  readonly labels: WeakMap<MetricKey.MetricKey.Untyped, string>
  readonly le: Map<number, string>
  readonly index: Index
}

interface Index {
  readonly families: Map<string, Family>
  readonly seen: WeakSet<MetricKey.MetricKey.Untyped>
  /** How many of the registry's series the index holds. */
  size: number
}

/** @internal */
export const makeCache = (): Cache => ({
  labels: new WeakMap(),
  le: new Map(),
  index: { families: new Map(), seen: new WeakSet(), size: 0 }
})

const labelsOf = (cache: Cache, key: MetricKey.MetricKey.Untyped, extra?: string): string => {
  let labels = cache.labels.get(key)
  if (labels === undefined) {
    labels = ""
    for (const tag of key.tags) {
      labels += `${labels.length > 0 ? "," : ""}${labelName(tag.key)}="${escapeLabelValue(tag.value)}"`
    }
    cache.labels.set(key, labels)
  }
  if (extra !== undefined) return labels.length > 0 ? `{${labels},${extra}}` : `{${extra}}`
  return labels.length > 0 ? `{${labels}}` : ""
}

const leOf = (cache: Cache, boundary: number): string => {
  let le = cache.le.get(boundary)
  if (le === undefined) {
    le = `le="${number(boundary)}"`
    cache.le.set(boundary, le)
  }
  return le
}

const typeOf = (key: MetricKey.MetricKey.Untyped): { readonly type: string; readonly suffix: string } => {
  const keyType = key.keyType
  if (MetricKeyType.isHistogramKey(keyType)) return { type: "histogram", suffix: "" }
  if (MetricKeyType.isSummaryKey(keyType)) return { type: "summary", suffix: "" }
  if (MetricKeyType.isFrequencyKey(keyType)) return { type: "counter", suffix: "_total" }
  if (MetricKeyType.isCounterKey(keyType) && keyType.incremental) return { type: "counter", suffix: "_total" }
  return { type: "gauge", suffix: "" }
}

const header = (family: Family): string => {
  const { suffix, type } = typeOf(family.key)
  const base = metricName(family.name)
  const name = suffix !== "" && !base.endsWith(suffix) ? `${base}${suffix}` : base
  const help = Option.match(family.key.description, {
    onNone: () => "",
    onSome: (text) => `# HELP ${name} ${escapeHelp(text)}\n`
  })
  return `${help}# TYPE ${name} ${type}\n`
}

/** The lines of one series. */
const series = (cache: Cache, family: Family, pair: Series): string => {
  const base = metricName(family.name)
  const key = pair.metricKey
  const state = pair.state()
  if (MetricState.isHistogramState(state)) {
    let out = ""
    for (const [boundary, count] of state.buckets) {
      out += `${base}_bucket${labelsOf(cache, key, leOf(cache, boundary))} ${count}\n`
    }
    if (state.buckets.length === 0 || state.buckets[state.buckets.length - 1]![0] !== Infinity) {
      out += `${base}_bucket${labelsOf(cache, key, `le="+Inf"`)} ${state.count}\n`
    }
    const labels = labelsOf(cache, key)
    return `${out}${base}_sum${labels} ${number(state.sum)}\n${base}_count${labels} ${state.count}\n`
  }
  if (MetricState.isCounterState(state)) {
    const { suffix } = typeOf(key)
    const name = suffix !== "" && !base.endsWith(suffix) ? `${base}${suffix}` : base
    return `${name}${labelsOf(cache, key)} ${number(state.count)}\n`
  }
  if (MetricState.isGaugeState(state)) return `${base}${labelsOf(cache, key)} ${number(state.value)}\n`
  if (MetricState.isFrequencyState(state)) {
    const name = base.endsWith("_total") ? base : `${base}_total`
    let out = ""
    for (const [value, count] of state.occurrences) {
      out += `${name}${labelsOf(cache, key, `key="${escapeLabelValue(value)}"`)} ${count}\n`
    }
    return out
  }
  if (MetricState.isSummaryState(state)) {
    let out = ""
    for (const [quantile, value] of state.quantiles) {
      const q = `quantile="${number(quantile)}"`
      out += `${base}${labelsOf(cache, key, q)} ${Option.match(value, { onNone: () => "NaN", onSome: number })}\n`
    }
    const labels = labelsOf(cache, key)
    return `${out}${base}_sum${labels} ${number(state.sum)}\n${base}_count${labels} ${state.count}\n`
  }
  return ""
}

/** @internal */
export interface WriteOptions {
  readonly runtimeMetrics: boolean
  /** Lines written before the series, e.g. `target_info`. */
  readonly preamble: string
  /** The writer gives the event loop back once a slice has taken this long. Default 4 ms. */
  readonly sliceMillis?: number | undefined
}

/** Adds a series to its family (the registry's order interleaves families). */
const addTo = (byName: Map<string, Family>, pair: Series): void => {
  const name = pair.metricKey.name
  let family = byName.get(name)
  if (family === undefined) {
    family = { name, key: pair.metricKey, pairs: [] }
    byName.set(name, family)
  }
  family.pairs.push(pair)
}

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
  const byName = new Map<string, Family>()
  for (const pair of seriesOf(snapshot)) addTo(byName, pair)
  for (const family of byName.values()) {
    if (!options.runtimeMetrics && isRuntimeMetric(family.name)) continue
    out += header(family)
    for (const pair of family.pairs) out += series(cache, family, pair)
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

/** Text is handed to the sink in chunks of about this many bytes. */
const chunkBytes = 64 * 1024

/**
 * The bytes of the chunk being filled. Each series' text (a few KiB at most,
 * short-lived) is encoded into it at once, so no string of a whole chunk is
 * ever built: a scrape of 30 MB leaves the young generation little to copy,
 * and the socket gets bytes it need not encode.
 */
class Chunk {
  private bytes = Buffer.allocUnsafe(chunkBytes)
  private used = 0
  private readonly emit: (chunk: Uint8Array) => void
  constructor(emit: (chunk: Uint8Array) => void) {
    this.emit = emit
  }
  get size(): number {
    return this.used
  }
  add(text: string): void {
    if (text.length === 0) return
    // a UTF-16 unit takes at most 3 bytes in UTF-8
    if (this.used + text.length * 3 > this.bytes.length) {
      this.flush()
      if (text.length * 3 > this.bytes.length) {
        this.emit(Buffer.from(text, "utf8"))
        return
      }
    }
    this.used += this.bytes.write(text, this.used, "utf8")
  }
  /** Hands the filled part to the receiver, and starts a new chunk. */
  flush(): void {
    if (this.used === 0) return
    const full = this.bytes.subarray(0, this.used)
    this.bytes = Buffer.allocUnsafe(chunkBytes)
    this.used = 0
    this.emit(full)
  }
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
      /** Between two chunks: wait for room if there is none, give the loop back if the slice is spent. */
      const pause = (room: boolean): Effect.Effect<void> =>
        room ? giveBack : Effect.zipRight(sink.drained, Effect.suspend(() => spent() ? giveBack : Effect.void))
      // first the list of series, grouped by name (the registry interleaves
      // them): the cache's index, brought up to date in slices; then the text
      const map = registryMap()
      let byName = cache.index.families
      const entries = map === undefined || MutableHashMap.size(map) === cache.index.size
        ? undefined
        : map[Symbol.iterator]()
      const collect = (): Effect.Effect<void> =>
        Effect.suspend(() => {
          if (entries === undefined) {
            if (map === undefined) {
              byName = new Map()
              for (const pair of seriesOf(Metric.unsafeSnapshot())) addTo(byName, pair)
            }
            return Effect.void
          }
          const index = cache.index
          for (let n = 1;; n++) {
            const next = entries.next()
            if (next.done === true) return Effect.void
            const [metricKey, hook] = next.value
            if (!index.seen.has(metricKey) && typeof hook?.get === "function") {
              index.seen.add(metricKey)
              index.size++
              addTo(index.families, { metricKey, state: () => hook.get() })
            }
            if (n % 256 === 0 && spent()) return Effect.zipRight(giveBack, collect())
          }
        })
      const families: Array<Family> = []
      let family = 0
      let pair = -1 // -1: the family's header is next
      let room = true
      let emitted = false
      const chunk = new Chunk((bytes) => {
        room = sink.write(bytes)
        emitted = true
      })
      chunk.add(options.preamble)
      const slice = (): Effect.Effect<void> =>
        Effect.suspend(() => {
          while (family < families.length) {
            const current = families[family]!
            if (pair === -1) {
              chunk.add(header(current))
              pair = 0
            }
            while (pair < current.pairs.length) {
              chunk.add(series(cache, current, current.pairs[pair++]!))
              if (chunk.size >= chunkBytes * 0.75) chunk.flush()
              // the clock is read once a chunk has gone out, and every 16 series
              if (emitted || pair % 16 === 0) {
                emitted = false
                if (!room || spent()) {
                  const wait = pause(room)
                  room = true
                  return Effect.zipRight(wait, slice())
                }
              }
            }
            family++
            pair = -1
          }
          chunk.flush()
          return Effect.void
        })
      return Effect.zipRight(
        collect(),
        Effect.suspend(() => {
          for (const family of byName.values()) {
            if (options.runtimeMetrics || !isRuntimeMetric(family.name)) families.push(family)
          }
          return slice()
        })
      )
    }))
