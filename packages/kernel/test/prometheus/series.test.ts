import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Series from "../../src/prometheus/series.js"

interface Key {
  readonly name: string
}

describe("prometheus series index", () => {
  it("groups series into families, in the order first seen", () => {
    const index = Series.make<Key, string>()
    const keys = [{ name: "b" }, { name: "a" }, { name: "b" }, { name: "c" }, { name: "a" }]
    keys.forEach((key, i) => {
      expect(Series.has(index, key)).toBe(false)
      Series.add(index, key.name, key, `s${i}`)
      expect(Series.has(index, key)).toBe(true)
    })
    expect(index.size).toBe(5)
    expect([...index.families.keys()]).toEqual(["b", "a", "c"])
    expect(index.families.get("b")!.series).toEqual(["s0", "s2"])
    expect(index.families.get("b")!.key).toBe(keys[0])
    expect(Series.select(index.families, (name) => name !== "a").map((f) => f.name)).toEqual(["b", "c"])
  })

  it("keeps every series once, in order, across any number of scrapes", () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.constantFrom("x", "y", "z"), { maxLength: 20 }), { maxLength: 5 }),
      (scrapes) => {
        const index = Series.make<Key, Key>()
        const registry: Array<Key> = []
        for (const added of scrapes) {
          for (const name of added) registry.push({ name })
          // a scrape walks the whole registry, taking in what is new
          for (const key of registry) if (!Series.has(index, key)) Series.add(index, key.name, key, key)
          expect(index.size).toBe(registry.length)
          for (const family of index.families.values()) {
            expect(family.series).toEqual(registry.filter((key) => key.name === family.name))
          }
        }
      }
    ))
  })

  it("adds to a family list of its own, and caches a key's text", () => {
    const families = Series.makeFamilies<Key, number>()
    Series.addTo(families, "f", { name: "f" }, 1)
    Series.addTo(families, "f", { name: "f" }, 2)
    expect(families.get("f")!.series).toEqual([1, 2])
    const cache = new WeakMap<Key, string>()
    const key = { name: "k" }
    let calls = 0
    const write = (k: Key) => {
      calls++
      return k.name
    }
    expect(Series.cached(cache, key, write)).toBe("k")
    expect(Series.cached(cache, key, write)).toBe("k")
    expect(calls).toBe(1)
  })
})
