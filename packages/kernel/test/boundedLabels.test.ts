import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BoundedLabels, overflowLabel } from "../src/boundedLabels.js"

describe("BoundedLabels", () => {
  it("keeps the first max distinct values, then reads every other one as <other>", () => {
    const labels = new BoundedLabels(2)
    expect(labels.label("a")).toBe("a")
    expect(labels.label("b")).toBe("b")
    expect(labels.label("c")).toBe(overflowLabel)
    expect(labels.label("a")).toBe("a")
    expect(labels.label("b")).toBe("b")
    expect(labels.label("c")).toBe(overflowLabel)
    expect(labels.size).toBe(2)
    expect(overflowLabel).toBe("<other>")
    expect(new BoundedLabels(0).label("a")).toBe(overflowLabel)
  })

  it("a value is kept exactly when it is one of the first max distinct values: at most max + 1 labels", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.string({ maxLength: 2 }), { maxLength: 200 }),
        (max, values) => {
          const labels = new BoundedLabels(max)
          const first = [...new Set(values)].slice(0, max)
          const out = values.map((v) => labels.label(v))
          return values.every((v, i) => out[i] === (first.includes(v) ? v : overflowLabel)) &&
            new Set(out).size <= max + 1
        }
      )
    )
  })
})
