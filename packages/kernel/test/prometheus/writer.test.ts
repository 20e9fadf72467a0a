import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Family } from "../../src/prometheus/series.js"
import * as Writer from "../../src/prometheus/writer.js"

/** A byte buffer over a plain array, ASCII only (what the tests write). */
class Ascii implements Writer.Bytes {
  readonly codes: Array<number>
  readonly start: number
  readonly length: number
  constructor(codes: Array<number>, start: number, length: number) {
    this.codes = codes
    this.start = start
    this.length = length
  }
  static alloc = (size: number): Ascii => new Ascii(new Array<number>(size).fill(0), 0, size)
  write(text: string, offset: number): number {
    for (let i = 0; i < text.length; i++) this.codes[this.start + offset + i] = text.charCodeAt(i)
    return text.length
  }
  subarray(start: number, end: number): Ascii {
    return new Ascii(this.codes, this.start + start, end - start)
  }
  text(): string {
    return String.fromCharCode(...this.codes.slice(this.start, this.start + this.length))
  }
}

const familiesOf = (sizes: ReadonlyArray<number>, width: number): Array<Family<string, string>> =>
  sizes.map((size, f) => ({
    name: `f${f}`,
    key: `f${f}`,
    series: Array.from({ length: size }, (_, s) => `f${f}_s${s} ${"x".repeat(width)}\n`)
  }))

const expected = (preamble: string, families: ReadonlyArray<Family<string, string>>): string =>
  preamble + families.map((family) => `# TYPE ${family.name} gauge\n${family.series.join("")}`).join("")

/** Runs a writer to the end; `room` and `spent` answer each call in turn. */
const run = (
  families: ReadonlyArray<Family<string, string>>,
  room: () => boolean,
  spent: () => boolean
): { readonly text: string; readonly stops: Array<Writer.Stop>; readonly chunks: number } => {
  const out: Array<string> = []
  const writer = new Writer.Writer<string, string, Ascii>({
    preamble: "# pre\n",
    families,
    header: (family) => `# TYPE ${family.name} gauge\n`,
    series: (_, series) => series,
    alloc: Ascii.alloc,
    write: (chunk) => {
      out.push(chunk.text())
      return room()
    }
  })
  const stops: Array<Writer.Stop> = []
  for (;;) {
    const stop = writer.step(spent)
    stops.push(stop)
    if (stop === "done") break
  }
  return { text: out.join(""), stops, chunks: out.length }
}

describe("prometheus writer", () => {
  it("writes the preamble, each header and every series, in order", () => {
    const families = familiesOf([3, 0, 2], 4)
    const result = run(families, () => true, () => false)
    expect(result.text).toBe(expected("# pre\n", families))
    expect(result.stops).toEqual(["done"])
  })

  it("hands out chunks of at most 64 KiB, and stops when the receiver is full", () => {
    const families = familiesOf([4000], 100)
    let calls = 0
    const result = run(families, () => ++calls % 2 === 0, () => false)
    expect(result.text).toBe(expected("# pre\n", families))
    expect(result.chunks).toBeGreaterThan(4)
    expect(result.stops.filter((stop) => stop === "full").length).toBeGreaterThan(0)
  })

  it("a text longer than a chunk goes out on its own", () => {
    const families = familiesOf([2], Writer.chunkBytes)
    expect(run(families, () => true, () => false).text).toBe(expected("# pre\n", families))
  })

  it("whatever the receiver and the clock say, the text is the same", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(300), { maxLength: 5 }),
        fc.nat(400),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        (sizes, width, rooms, spents) => {
          const families = familiesOf(sizes, width)
          let r = 0
          let s = 0
          const result = run(families, () => rooms[r++ % rooms.length]!, () => spents[s++ % spents.length]!)
          expect(result.text).toBe(expected("# pre\n", families))
          expect(result.stops.at(-1)).toBe("done")
        }
      ),
      { numRuns: 50 }
    )
  })

  it("takeIn walks every entry, stopping only when the slice is spent", () => {
    const entries = Array.from({ length: 1000 }, (_, i) => i)
    const taken: Array<number> = []
    const iterator = entries[Symbol.iterator]()
    let steps = 0
    while (!Writer.takeIn(iterator, (n) => taken.push(n), () => true, 256)) steps++
    expect(steps).toBe(3)
    expect(taken).toEqual(entries)
  })
})
