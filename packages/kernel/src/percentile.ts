/**
 * The digest behind `Delays.percentile`: per key, a histogram of latencies
 * over a sliding window (`buckets` histograms of `window / buckets` each),
 * with log-spaced bins (2% apart from 0.1 ms), and the delay it gives: the
 * chosen percentile of the window within [min, max], times the attempt.
 * Plain mutable state driven with `now` in millis; keys beyond `maxKeys`
 * evict the least recently used.
 */

const GROWTH = 1.02
const FLOOR_MILLIS = 0.1

/** The digest's settings, already checked, in millis. */
export interface Settings {
  /** In (0, 1). */
  readonly percentile: number
  readonly minMillis: number
  /** ≥ minMillis. */
  readonly maxMillis: number
  /** > 0. */
  readonly windowMillis: number
  /** Integer ≥ 1. */
  readonly buckets: number
  /** Integer ≥ 1. */
  readonly maxKeys: number
}

interface KeyState {
  readonly counts: Array<Uint32Array>
  readonly starts: Float64Array
  lastUsed: number
}

/** The latencies of every key, and the percentile delays they give. */
export class Digest {
  readonly settings: Settings
  private readonly keys = new Map<string, KeyState>()
  private readonly span: number
  private readonly bins: number

  constructor(settings: Settings) {
    this.settings = settings
    this.span = settings.windowMillis / settings.buckets
    // bin 0 holds latencies below FLOOR_MILLIS, bin i ≥ 1 holds [FLOOR·G^(i-1), FLOOR·G^i)
    this.bins = 2 + Math.ceil(Math.log(Math.max(settings.maxMillis, FLOOR_MILLIS) / FLOOR_MILLIS) / Math.log(GROWTH))
  }

  /** The delay before `attempt` for `key` at `now`: the percentile within [min, max] (min with no data), × attempt. */
  delay(key: string, attempt: number, now: number): number {
    const { maxMillis, minMillis } = this.settings
    const state = this.keys.get(key)
    const q = state === undefined ? undefined : this.quantile(state, now)
    const base = q === undefined ? minMillis : Math.min(maxMillis, Math.max(minMillis, q))
    return base * attempt
  }

  /** Records a latency of `millis` for `key` at `now`. */
  observe(key: string, millis: number, now: number): void {
    let state = this.keys.get(key)
    if (state === undefined) {
      this.evictIfFull()
      state = {
        counts: Array.from({ length: this.settings.buckets }, () => new Uint32Array(this.bins)),
        starts: new Float64Array(this.settings.buckets).fill(-Infinity),
        lastUsed: now
      }
      this.keys.set(key, state)
    }
    state.lastUsed = now
    this.currentBucket(state, now)[this.binOf(millis)]!++
  }

  /** How many keys are kept. */
  get size(): number {
    return this.keys.size
  }

  /** The percentile of `key`'s latencies in the window at `now` (bin midpoint), or `undefined` with none. */
  percentileOf(key: string, now: number): number | undefined {
    const state = this.keys.get(key)
    return state === undefined ? undefined : this.quantile(state, now)
  }

  private binOf(millis: number): number {
    return millis < FLOOR_MILLIS
      ? 0
      : Math.min(this.bins - 1, 1 + Math.floor(Math.log(millis / FLOOR_MILLIS) / Math.log(GROWTH)))
  }

  private rotate(state: KeyState, now: number): void {
    const { buckets, windowMillis } = this.settings
    for (let i = 0; i < buckets; i++) {
      if (state.starts[i] !== -Infinity && now - state.starts[i]! >= windowMillis) {
        state.counts[i]!.fill(0)
        state.starts[i] = -Infinity
      }
    }
  }

  private currentBucket(state: KeyState, now: number): Uint32Array {
    const buckets = this.settings.buckets
    let newest = 0
    for (let i = 1; i < buckets; i++) if (state.starts[i]! > state.starts[newest]!) newest = i
    if (now - state.starts[newest]! < this.span) return state.counts[newest]!
    // open a new bucket in place of the oldest
    let oldest = 0
    for (let i = 1; i < buckets; i++) if (state.starts[i]! < state.starts[oldest]!) oldest = i
    state.counts[oldest]!.fill(0)
    state.starts[oldest] = now
    return state.counts[oldest]!
  }

  private evictIfFull(): void {
    if (this.keys.size < this.settings.maxKeys) return
    let victim: string | undefined
    let oldest = Infinity
    for (const [key, state] of this.keys) {
      if (state.lastUsed < oldest) {
        oldest = state.lastUsed
        victim = key
      }
    }
    if (victim !== undefined) this.keys.delete(victim)
  }

  private quantile(state: KeyState, now: number): number | undefined {
    this.rotate(state, now)
    const bins = this.bins
    let total = 0
    for (const counts of state.counts) for (let b = 0; b < bins; b++) total += counts[b]!
    if (total === 0) return undefined
    const rank = Math.ceil(this.settings.percentile * total)
    let seen = 0
    for (let b = 0; b < bins; b++) {
      for (const counts of state.counts) seen += counts[b]!
      if (seen >= rank) return b === 0 ? FLOOR_MILLIS : Math.sqrt(upperOf(b - 1) * upperOf(b))
    }
    return this.settings.maxMillis
  }
}

const upperOf = (bin: number): number => FLOOR_MILLIS * Math.pow(GROWTH, bin)
