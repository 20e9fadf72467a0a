/**
 * The series a Prometheus writer keeps between scrapes: every series of the
 * metric registry, grouped into families by metric name (the registry's own
 * order interleaves them; a family's lines must be written together), in the
 * order a family and a series were first seen. A registry that never forgets
 * a series (Effect 3's) only ever adds to it: a scrape takes in the series
 * that are new since the last one, and the list is not rebuilt (and left to
 * the garbage collector) at every scrape.
 *
 * Keys are the registry's own objects (held weakly); a series is whatever the
 * glue reads a state through.
 */

/** Every series of one metric name, with the key of the first one (its type and help text). */
export interface Family<K, S> {
  readonly name: string
  readonly key: K
  readonly series: Array<S>
}

/** The families by name, in the order they were first seen. */
export type Families<K, S> = Map<string, Family<K, S>>

/** A fresh, empty {@link Families}. */
export const makeFamilies = <K, S>(): Families<K, S> => new Map()

/** Adds a series to the family of `name` (a new family, last, if there is none). */
export const addTo = <K, S>(families: Families<K, S>, name: string, key: K, series: S): void => {
  let family = families.get(name)
  if (family === undefined) {
    family = { name, key, series: [] }
    families.set(name, family)
  }
  family.series.push(series)
}

/** The series kept between scrapes, and which registry keys they came from. */
export interface Index<K extends object, S> {
  readonly families: Families<K, S>
  readonly seen: WeakSet<K>
  /** How many of the registry's series the index holds. */
  size: number
}

/** A fresh, empty {@link Index}. */
export const make = <K extends object, S>(): Index<K, S> => ({ families: new Map(), seen: new WeakSet(), size: 0 })

/** Whether the index holds the series of `key`. */
export const has = <K extends object, S>(index: Index<K, S>, key: K): boolean => index.seen.has(key)

/** Takes in the series of `key`, which it does not hold yet (see {@link has}). */
export const add = <K extends object, S>(index: Index<K, S>, name: string, key: K, series: S): void => {
  index.seen.add(key)
  index.size++
  addTo(index.families, name, key, series)
}

/** The families whose name `keep` accepts, in order. */
export const select = <K, S>(families: Families<K, S>, keep: (name: string) => boolean): Array<Family<K, S>> => {
  const out: Array<Family<K, S>> = []
  for (const family of families.values()) if (keep(family.name)) out.push(family)
  return out
}

/**
 * A series' label part as written, kept per registry key: computed by `write`
 * the first time a key is seen.
 */
export const cached = <K extends object>(cache: WeakMap<K, string>, key: K, write: (key: K) => string): string => {
  let text = cache.get(key)
  if (text === undefined) {
    text = write(key)
    cache.set(key, text)
  }
  return text
}
