/**
 * What the demo's scenes share, on both lines: the scene's shape,
 * percentiles, table cells, and counts read from Effect's metric registry (the
 * same values the Prometheus scrape shows). The glue that differs per line
 * (servers, routes, the registry's shape) is `@aio-request/line/demo`.
 */
import { Clock, Effect, metricSeries, type SceneContext, type Series } from "@aio-request/line/demo"

/** How a scene runs: `quick` shrinks the load (tests, `--quick`). */
export interface SceneConfig {
  readonly quick: boolean
}

/** One scene of the demo: a name for `--scene`, a title, a run that prints its figures. */
export interface Scene {
  readonly name: string
  readonly title: string
  /** Runs the scene; its servers are closed when the returned effect ends. Returns its key figures. */
  readonly run: (config: SceneConfig) => Effect.Effect<Readonly<Record<string, number>>, unknown, SceneContext>
}

/** 1, 2, …, `n`. */
export const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i + 1)

/** The `p` quantile (0..1) of ascending `sorted` values, nearest rank; 0 when empty. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

/** Milliseconds since the effect was built (for "at 123 ms" lines). */
export const stopwatch = Effect.map(
  Clock.currentTimeMillis,
  (start) => Effect.map(Clock.currentTimeMillis, (now) => now - start)
)

/** A right-aligned cell. */
export const cell = (value: string | number, width: number): string => String(value).padStart(width)

/**
 * The counts in Effect's metric registry at one moment: a counter's value, a
 * histogram's number of observations, per metric name and labels.
 */
export interface Counts {
  /** The sum over the series of `name` whose labels include all of `where`. */
  readonly get: (name: string, where?: Readonly<Record<string, string>>) => number
}

/** The counts of `series`. */
export const countsOf = (series: ReadonlyArray<Series>): Counts => ({
  get: (name, where = {}) =>
    series.reduce(
      (sum, s) =>
        s.name === name && Object.entries(where).every(([key, value]) => s.labels[key] === value)
          ? sum + s.value
          : sum,
      0
    )
})

/** Reads the registry once. */
export const counts: Effect.Effect<Counts> = Effect.map(metricSeries, countsOf)

/** How much each count grew between two readings. */
export const delta = (before: Counts, after: Counts): Counts => ({
  get: (name, where) => after.get(name, where) - before.get(name, where)
})
