import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Format from "../../src/prometheus/format.js"
import * as Scrape from "../../src/prometheus/scrape.js"
import type { Family } from "../../src/prometheus/series.js"

/** Node's Buffer as the bytes. */
const alloc = (size: number) => Buffer.alloc(size)

/** A source over `families`, collected `collectSteps` steps long; the chunks it was handed. */
const sourceOf = (families: Array<Family<string, string>>, collectSteps: number, room: () => boolean) => {
  const chunks: Array<Buffer> = []
  let steps = 0
  const source: Scrape.Source<string, string, Buffer> = {
    preamble: "# pre\n",
    collect: () => ++steps >= collectSteps,
    families: () => families,
    header: (family) => `# TYPE ${family.name} gauge\n`,
    series: (family, series) => `${family.name}{s="${series}"} 1\n`,
    alloc,
    write: (chunk) => {
      chunks.push(chunk)
      return room()
    }
  }
  return { source, chunks }
}

const oneText = (families: Array<Family<string, string>>) =>
  "# pre\n" +
  families.map((f) => `# TYPE ${f.name} gauge\n` + f.series.map((s) => `${f.name}{s="${s}"} 1\n`).join("")).join("")

describe("Scrape", () => {
  it("collects until done (each unfinished collect ends the slice), then writes the whole text", () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.stringMatching(/^[a-z]{1,200}$/), { maxLength: 300 }), { maxLength: 8 }),
      fc.integer({ min: 1, max: 5 }),
      fc.boolean(),
      (seriesOf, collectSteps, room) => {
        const families = seriesOf.map((series, i) => ({ name: `f${i}`, key: `f${i}`, series }))
        const { chunks, source } = sourceOf(families, collectSteps, () => room)
        const scrape = new Scrape.Scrape(source)
        const stops: Array<string> = []
        for (let i = 0; i < 10_000; i++) {
          const stop = scrape.step(() => true)
          stops.push(stop)
          if (stop === "done") break
        }
        expect(stops.slice(0, collectSteps - 1)).toEqual(Array(collectSteps - 1).fill("spent"))
        expect(stops.at(-1)).toBe("done")
        expect(Buffer.concat(chunks).toString("utf8")).toBe(oneText(families))
      }
    ))
  })

  it("a slice that is never spent and a receiver with room: done in one step", () => {
    const families = [{ name: "a", key: "a", series: ["x", "y"] }]
    const { chunks, source } = sourceOf(families, 1, () => true)
    expect(new Scrape.Scrape(source).step(() => false)).toBe("done")
    expect(Buffer.concat(chunks).toString("utf8")).toBe(oneText(families))
  })
})

describe("seriesLines", () => {
  const le = Format.makeLeLabels()
  it("writes each kind as its own sample lines", () => {
    expect(Format.seriesLines("histogram", "h", `a="1"`, le, { buckets: [[0.5, 1], [1, 2]], count: 3, sum: 2.5 }))
      .toBe(Format.histogram("h", `a="1"`, le, [[0.5, 1], [1, 2]], 3, 2.5))
    expect(Format.seriesLines("monotonicCounter", "c", "", le, { count: 3 })).toBe("c_total 3\n")
    expect(Format.seriesLines("counter", "c", "", le, { count: 3 })).toBe("c 3\n")
    expect(Format.seriesLines("gauge", "1g", "", le, { value: 2n })).toBe("_1g 2\n")
    expect(Format.seriesLines("frequency", "f", "", le, { occurrences: new Map([["x", 2]]) }))
      .toBe(`f_total{key="x"} 2\n`)
    expect(Format.seriesLines("summary", "s", "", le, { quantiles: [[0.5, 1], [0.9, undefined]], count: 2, sum: 3 }))
      .toBe(`s{quantile="0.5"} 1\ns{quantile="0.9"} NaN\ns_sum 3\ns_count 2\n`)
  })
})
