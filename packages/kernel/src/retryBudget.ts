/**
 * A retry budget (Finagle, Envoy, gRPC throttling): every first attempt
 * deposits, every extra attempt withdraws, and an extra attempt is allowed
 * while `reserve + ratio × deposits − withdrawals ≥ 1` over a window of `ttl`
 * (sliding by tenths of it). Plain mutable state driven with `now` in
 * milliseconds; the glue owns it and reads the clock.
 */
import { RollingWindow } from "./rollingWindow.js"

/** How many buckets the `ttl` window slides by. */
export const buckets = 10

/** Absorbs rounding in `ratio × deposits` (0.29 × 100 = 28.999…). */
const epsilon = 1e-9

const DEPOSITS = 0
const WITHDRAWALS = 1

/** The budget's settings, already checked. */
export interface Settings {
  /** Extra attempts allowed per first attempt, ≥ 0. */
  readonly ratio: number
  /** Extra attempts allowed per second whatever the traffic, ≥ 0. */
  readonly minPerSecond: number
  /** How long a deposit or a withdrawal counts, in millis, > 0. */
  readonly ttlMillis: number
}

/** One budget: deposits and withdrawals over the last `ttl`. */
export class Budget {
  /** `minPerSecond × ttl`: the extra attempts allowed with no traffic at all. */
  readonly reserve: number
  readonly ratio: number
  private readonly window: RollingWindow

  constructor(settings: Settings) {
    this.ratio = settings.ratio
    this.reserve = settings.minPerSecond * settings.ttlMillis / 1000
    this.window = new RollingWindow(buckets, settings.ttlMillis / buckets)
  }

  /** Counts a first attempt at `now`. */
  deposit(now: number): void {
    this.window.add(now, DEPOSITS)
  }

  /** What is left at `now`: an extra attempt needs at least 1. */
  balance(now: number): number {
    return this.reserve + this.ratio * this.window.sum(now, DEPOSITS) - this.window.sum(now, WITHDRAWALS)
  }

  /** Withdraws one extra attempt at `now` if the balance allows it; `false` means do not send it. */
  tryWithdraw(now: number): boolean {
    if (this.balance(now) < 1 - epsilon) return false
    this.window.add(now, WITHDRAWALS)
    return true
  }
}
