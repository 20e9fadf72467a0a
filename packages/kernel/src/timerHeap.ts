/**
 * The pending instants of a timer: a binary min-heap of entries keyed by
 * instant (milliseconds), ties kept in insertion order. Each entry knows its
 * place in the heap, so cancelling one is a removal in O(log n), not a
 * search. The heap never reads a clock: the glue asks it what is due at the
 * instant it read, and sleeps (or not) on its own.
 */

/**
 * One pending instant and what it carries (for the Effect glue, the callback
 * that records the event). `index` is its place in the heap, -1 once it was
 * popped or removed.
 */
export interface Entry<T> {
  readonly at: number
  readonly seq: number
  index: number
  readonly value: T
}

/** The longest single sleep of a timer's sleeper, in milliseconds. */
export const maxSleepMillis = 1000

/**
 * When a sleeper that reads `now` should wake for the earliest entry at
 * `earliest`: at that instant, but never more than `maxSleepMillis` ahead, so
 * that an emptied heap is noticed within that.
 */
export const wakeAt = (earliest: number, now: number): number => Math.min(earliest, now + maxSleepMillis)

const before = <T>(a: Entry<T>, b: Entry<T>): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq)

/** A binary min-heap of entries by instant; equal instants come out in insertion order. */
export class TimerHeap<T> {
  private readonly entries: Array<Entry<T>> = []
  private seq = 0

  /** How many entries are pending. */
  get size(): number {
    return this.entries.length
  }

  /** Adds an entry for `at` carrying `value`, and returns it (the handle for `remove`). */
  insert(at: number, value: T): Entry<T> {
    const entry: Entry<T> = { at, seq: this.seq++, index: this.entries.length, value }
    this.entries.push(entry)
    this.up(entry.index)
    return entry
  }

  /** Removes `entry` if it is still pending; false when it was already popped or removed. */
  remove(entry: Entry<T>): boolean {
    const index = entry.index
    if (index < 0) return false
    entry.index = -1
    const entries = this.entries
    const last = entries.pop()!
    if (index < entries.length) {
      entries[index] = last
      last.index = index
      this.down(index)
      this.up(last.index)
    }
    return true
  }

  /** The earliest pending entry, left in place. */
  peek(): Entry<T> | undefined {
    return this.entries[0]
  }

  /** Removes and returns the earliest pending entry. */
  pop(): Entry<T> | undefined {
    const entries = this.entries
    const top = entries[0]
    if (top === undefined) return undefined
    top.index = -1
    const last = entries.pop()!
    if (entries.length > 0) {
      entries[0] = last
      last.index = 0
      this.down(0)
    }
    return top
  }

  /** Removes and returns the earliest entry if it is due at `now` (its instant ≤ `now`). */
  popDue(now: number): Entry<T> | undefined {
    const top = this.entries[0]
    return top !== undefined && top.at <= now ? this.pop() : undefined
  }

  private up(index: number): void {
    const entries = this.entries
    const entry = entries[index]!
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = entries[parentIndex]!
      if (!before(entry, parent)) break
      entries[index] = parent
      parent.index = index
      index = parentIndex
    }
    entries[index] = entry
    entry.index = index
  }

  private down(index: number): void {
    const entries = this.entries
    const length = entries.length
    const entry = entries[index]!
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && before(entries[right]!, entries[left]!) ? right : left
      if (!before(entries[child]!, entry)) break
      entries[index] = entries[child]!
      entries[index]!.index = index
      index = child
    }
    entries[index] = entry
    entry.index = index
  }
}
