/**
 * One scrape, step by step: first the registry's series are taken in (the
 * glue's `collect`, which stops when the slice is spent), then the text is
 * written by a {@link Writer}. The glue owns time and waiting: it calls
 * {@link Scrape.step} with its slice's clock, gives the event loop back on
 * `"spent"`, waits for the receiver on `"full"` (and then gives the loop back
 * only if the slice is spent: a drain emitted from a tick is no turn of the
 * loop), and is done on `"done"`.
 */
import type { Family } from "./series.js"
import { type Bytes, type Stop, Writer } from "./writer.js"

/** What a scrape reads of a registry, and where its bytes go. */
export interface Source<K, S, B extends Bytes> {
  /** Lines written before the families, e.g. `target_info`. */
  readonly preamble: string
  /** Takes in the registry's series until every one is in (`true`) or `spent` says the slice is over (`false`). */
  readonly collect: (spent: () => boolean) => boolean
  /** The families to write, asked once `collect` has returned `true`. */
  readonly families: () => ReadonlyArray<Family<K, S>>
  /** The `# HELP` / `# TYPE` lines of a family. */
  readonly header: (family: Family<K, S>) => string
  /** The lines of one series, its state read now. */
  readonly series: (family: Family<K, S>, series: S) => string
  readonly alloc: (size: number) => B
  /** Hands a chunk to the receiver: `false` when its buffer is full. */
  readonly write: (chunk: B) => boolean
}

/** A scrape of a {@link Source}: `collect` until done, then the writer. */
export class Scrape<K, S, B extends Bytes> {
  private readonly source: Source<K, S, B>
  private writer: Writer<K, S, B> | undefined

  constructor(source: Source<K, S, B>) {
    this.source = source
  }

  /** Takes in series, then writes, until done, the receiver is full, or `spent` says the slice is over. */
  step(spent: () => boolean): Stop {
    const source = this.source
    if (this.writer === undefined) {
      if (!source.collect(spent)) return "spent"
      this.writer = new Writer({ ...source, families: source.families() })
    }
    return this.writer.step(spent)
  }
}
