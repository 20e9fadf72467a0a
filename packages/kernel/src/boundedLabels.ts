/**
 * A metric label whose values callers control (a client's name, a breaker's
 * scope), bounded: a metric registry keeps a series for every label value it
 * ever saw, so an unbounded label grows memory without bound. The first
 * `max` distinct values are kept as they are; every later one reads as
 * `overflowLabel`. A plain mutable set that the glue creates and owns (one
 * per recorder, one per breaker), read once per update of the labelled
 * metric.
 */

/** The value a bounded label takes once its bound is reached. */
export const overflowLabel = "<other>"

/** A label with at most `max` distinct values of its own, then `overflowLabel`. */
export class BoundedLabels {
  readonly max: number
  private readonly seen = new Set<string>()
  constructor(max: number) {
    this.max = max
  }

  /** `value` if it is one of the first `max` distinct values seen, otherwise `overflowLabel`. */
  label(value: string): string {
    if (this.seen.has(value)) return value
    if (this.seen.size >= this.max) return overflowLabel
    this.seen.add(value)
    return value
  }

  /** How many distinct values are kept as they are (at most `max`). */
  get size(): number {
    return this.seen.size
  }
}
