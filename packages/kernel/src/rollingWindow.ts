/**
 * Two counters over a window that slides by whole buckets: the circuit
 * breaker counts successes and failures in it, the retry budget deposits and
 * withdrawals. A bucket covers `bucketMillis` of the Clock; the window is the
 * last `buckets` of them. Time enters as `now`, in milliseconds (the glue's
 * Clock read). Each value is owned by one state machine and only touched
 * inside a single synchronous step, so it is updated in place.
 */

/** Which of the two counters: 0 or 1. */
export type Counter = 0 | 1

/** Two counters over the last `buckets` buckets of `bucketMillis` each, updated in place. */
export class RollingWindow {
  /** `buckets` slots of three numbers: bucket id (floor(time / bucketMillis)), counter 0, counter 1. */
  private readonly slots: Float64Array
  /** The bucket id `add` wrote last, and its slot: most adds land in it. */
  private lastBucket = Number.NaN
  private lastSlot = 0

  readonly buckets: number
  readonly bucketMillis: number

  constructor(buckets: number, bucketMillis: number) {
    this.buckets = buckets
    this.bucketMillis = bucketMillis
    this.slots = new Float64Array(buckets * 3)
    this.clear()
  }

  /** Forgets everything. */
  clear(): void {
    this.lastBucket = Number.NaN
    for (let i = 0; i < this.slots.length; i += 3) {
      this.slots[i] = Number.NEGATIVE_INFINITY
      this.slots[i + 1] = 0
      this.slots[i + 2] = 0
    }
  }

  /** Adds one to `counter` in the bucket of `now`. */
  add(now: number, counter: Counter): void {
    const bucket = Math.floor(now / this.bucketMillis)
    const slots = this.slots
    if (bucket === this.lastBucket) {
      slots[this.lastSlot + 1 + counter]!++
      return
    }
    const slot = (((bucket % this.buckets) + this.buckets) % this.buckets) * 3
    if (slots[slot] !== bucket) {
      slots[slot] = bucket
      slots[slot + 1] = 0
      slots[slot + 2] = 0
    }
    slots[slot + 1 + counter]!++
    this.lastBucket = bucket
    this.lastSlot = slot
  }

  /** The sum of `counter` over the buckets still in the window at `now`. */
  sum(now: number, counter: Counter): number {
    const oldest = Math.floor(now / this.bucketMillis) - this.buckets
    let total = 0
    for (let i = 0; i < this.slots.length; i += 3) {
      if (this.slots[i]! > oldest) total += this.slots[i + 1 + counter]!
    }
    return total
  }

  /** Whether nothing was counted in the window at `now`. */
  isEmpty(now: number): boolean {
    return this.sum(now, 0) === 0 && this.sum(now, 1) === 0
  }
}
