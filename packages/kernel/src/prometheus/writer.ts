/**
 * A Prometheus scrape written in slices: the text of a list of families
 * (see `series`), encoded into byte chunks of about 64 KiB and handed to a
 * receiver, by a writer that stops whenever the glue should give the event
 * loop back (the slice is spent) or wait for the receiver to drain (it said
 * it has no room). The glue owns time and waiting: it passes `spent` in, and
 * calls {@link Writer.step} again once it has yielded or the receiver drained.
 *
 * Bytes are whatever the glue allocates (Node's `Buffer`): only the few
 * methods of {@link Bytes} are used. Each series' text (a few KiB at most,
 * short-lived) is encoded into the chunk at once, so no string of a whole
 * chunk is ever built.
 */
import type { Family } from "./series.js"

/** What the writer needs of a byte buffer (Node's `Buffer` has it). */
export interface Bytes {
  readonly length: number
  /** Writes `text` as UTF-8 at `offset`; returns the number of bytes written. */
  write(text: string, offset: number, encoding: "utf8"): number
  subarray(start: number, end: number): Bytes
}

/** Text is handed to the receiver in chunks of about this many bytes. */
export const chunkBytes = 64 * 1024

/** A chunk being filled: when full enough, its filled part is handed on and a new one started. */
export class Chunk<B extends Bytes> {
  private bytes: B
  private used = 0
  private readonly alloc: (size: number) => B
  private readonly emit: (chunk: B) => void
  constructor(alloc: (size: number) => B, emit: (chunk: B) => void) {
    this.alloc = alloc
    this.emit = emit
    this.bytes = alloc(chunkBytes)
  }
  /** Bytes filled so far. */
  get size(): number {
    return this.used
  }
  /** Adds `text` as UTF-8 (a text longer than a chunk goes out on its own). */
  add(text: string): void {
    if (text.length === 0) return
    // a UTF-16 unit takes at most 3 bytes in UTF-8
    if (this.used + text.length * 3 > this.bytes.length) {
      this.flush()
      if (text.length * 3 > this.bytes.length) {
        const own = this.alloc(text.length * 3)
        this.emit(own.subarray(0, own.write(text, 0, "utf8")) as B)
        return
      }
    }
    this.used += this.bytes.write(text, this.used, "utf8")
  }
  /** Hands the filled part to the receiver, and starts a new chunk. */
  flush(): void {
    if (this.used === 0) return
    const full = this.bytes.subarray(0, this.used) as B
    this.bytes = this.alloc(chunkBytes)
    this.used = 0
    this.emit(full)
  }
}

/**
 * Why {@link Writer.step} stopped: `done` (every byte handed on), `full` (the
 * receiver has no room: wait for it to drain, then give the loop back if the
 * slice is spent), `spent` (the slice is over: give the event loop back).
 */
export type Stop = "done" | "full" | "spent"

/** What a {@link Writer} writes, and where to. */
export interface WriterOptions<K, S, B extends Bytes> {
  /** Lines written before the families, e.g. `target_info`. */
  readonly preamble: string
  readonly families: ReadonlyArray<Family<K, S>>
  /** The `# HELP` / `# TYPE` lines of a family. */
  readonly header: (family: Family<K, S>) => string
  /** The lines of one series, its state read now. */
  readonly series: (family: Family<K, S>, series: S) => string
  readonly alloc: (size: number) => B
  /** Hands a chunk to the receiver: `false` when its buffer is full. */
  readonly write: (chunk: B) => boolean
}

/**
 * The text of `families`, written step by step. The slice's clock (`spent`)
 * is asked once a chunk has gone out, and every 16 series.
 */
export class Writer<K, S, B extends Bytes> {
  private readonly options: WriterOptions<K, S, B>
  private readonly chunk: Chunk<B>
  private family = 0
  private pair = -1 // -1: the family's header is next
  private room = true
  private emitted = false

  constructor(options: WriterOptions<K, S, B>) {
    this.options = options
    this.chunk = new Chunk(options.alloc, (bytes) => {
      this.room = options.write(bytes)
      this.emitted = true
    })
    this.chunk.add(options.preamble)
  }

  /** Writes until done, until the receiver is full, or until `spent` says the slice is over. */
  step(spent: () => boolean): Stop {
    const { families, header, series } = this.options
    const chunk = this.chunk
    while (this.family < families.length) {
      const current = families[this.family]!
      if (this.pair === -1) {
        chunk.add(header(current))
        this.pair = 0
      }
      while (this.pair < current.series.length) {
        chunk.add(series(current, current.series[this.pair++]!))
        if (chunk.size >= chunkBytes * 0.75) chunk.flush()
        if (this.emitted || this.pair % 16 === 0) {
          this.emitted = false
          if (!this.room) {
            this.room = true
            return "full"
          }
          if (spent()) return "spent"
        }
      }
      this.family++
      this.pair = -1
    }
    chunk.flush()
    return "done"
  }
}

/**
 * Walks `entries`, handing each to `take`, until they are exhausted (`true`)
 * or until `spent` (asked every `stepSize` entries) says the slice is over
 * (`false`: call again with the same iterator).
 */
export const takeIn = <E>(
  entries: Iterator<E>,
  take: (entry: E) => void,
  spent: () => boolean,
  stepSize = 256
): boolean => {
  for (let n = 1;; n++) {
    const next = entries.next()
    if (next.done === true) return true
    take(next.value)
    if (n % stepSize === 0 && spent()) return false
  }
}
