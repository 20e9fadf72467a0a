import * as Metric from "effect/Metric"
import type * as MetricKey from "effect/MetricKey"
import type * as MetricState from "effect/MetricState"
import * as MutableHashMap from "effect/MutableHashMap"

/**
 * The one read of Effect's private state in this package: the global metric
 * registry's map of hooks.
 *
 * Why not the public API: Effect 3's `MetricRegistry` offers `snapshot()`
 * (what `Metric.snapshot` and `Metric.unsafeSnapshot` call) and `get(key)`.
 * `get` needs a key one already has, so the only public way to learn the
 * registry's series is `snapshot()`, and it reads every series' state
 * (building each histogram's bucket array) in one synchronous call: with
 * 10,000 histogram series that is tens of milliseconds of event loop held at
 * once, at every scrape, before a byte is written (walking the keys takes
 * well under one), and every state of the scrape alive at once. It cannot be
 * sliced, and the registry's size (which tells a scrape whether there is
 * anything new to take in) is not public either. The registry keeps its hooks in a
 * `MutableHashMap` field `map`: walking it (a reference per series) lets the
 * scrape take in new series in slices and read each state only when its
 * series is written.
 *
 * Were the field ever missing or of another shape (another Effect release),
 * `undefined` comes back and the scrape falls back to the public snapshot.
 *
 * @internal
 */
export const registryMap = ():
  | MutableHashMap.MutableHashMap<MetricKey.MetricKey.Untyped, Hook | undefined>
  | undefined =>
{
  const map = (Metric.globalMetricRegistry as unknown as { readonly map?: unknown }).map
  return typeof map === "object" && map !== null && Symbol.for("effect/MutableHashMap") in map
    ? map as MutableHashMap.MutableHashMap<MetricKey.MetricKey.Untyped, Hook | undefined>
    : undefined
}

/**
 * A hook of the registry, as far as a scrape uses it: how to read the series' state.
 *
 * @internal
 */
export interface Hook {
  readonly get: () => MetricState.MetricState.Untyped
}

/**
 * How many series the registry holds.
 *
 * @internal
 */
export const size = (map: MutableHashMap.MutableHashMap<MetricKey.MetricKey.Untyped, Hook | undefined>): number =>
  MutableHashMap.size(map)
