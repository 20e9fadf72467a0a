/**
 * Hedging (parallel attempts): the controller's bookkeeping, apart from the
 * fibers. Attempt 0 starts at once, attempt n at `delay(n)` after the start
 * (never after the run's deadline), or at once when an earlier attempt is
 * rejected, never before a server's pushback has passed (which moves the
 * rest of the schedule back as far). The first accepted
 * outcome wins; if none is, the first rejected outcome to complete is the
 * result.
 *
 * The glue creates one `Hedging` per run (or extends it) and asks it what to
 * do at each step; it owns the attempts, the timer entry and the waiting.
 */

/** The state of one hedged run; `O` is the glue's outcome record. */
export class Hedging<O> {
  /** How many attempts this strategy may send. */
  readonly attempts: number
  /** When the run started (milliseconds): hedge delays count from here. */
  readonly start: number
  /** Index (in this strategy) of the next attempt to send. */
  index = 0
  /** No more attempts will be sent (all sent, or the budget refused one). */
  exhausted = false
  /** Rejections not yet turned into an early start (each starts the next pending attempt). */
  kicks = 0
  /** The first rejected outcome, the result if none is accepted. */
  firstRejected: O | undefined = undefined
  /** No attempt is sent before this instant (milliseconds): a server's pushback. */
  notBefore = 0
  /** How far pushbacks moved the schedule back (milliseconds), so hedges resume one at a time. */
  shift = 0

  constructor(attempts: number, start: number) {
    this.attempts = attempts
    this.start = start
  }

  /** Attempt `index` was sent. */
  sent(): void {
    this.index++
  }

  /** The retry budget refused an attempt: no more will be sent. */
  refused(): void {
    this.exhausted = true
  }

  /** Whether an attempt remains to be sent; marks the run exhausted when none does. */
  hasNext(): boolean {
    if (this.index < this.attempts) return true
    this.exhausted = true
    return false
  }

  /**
   * When to send the next attempt, whose delay is `delay` milliseconds after
   * the start: `undefined` for at once (its instant has come, or a rejection
   * is waiting to start it, which this consumes), or the instant to schedule
   * it at.
   */
  schedule(delay: number, now: number, deadline: number): number | undefined {
    let at = Math.min(this.start + this.shift + delay, deadline)
    if (at > now && this.kicks > 0) {
      this.kicks--
      at = now
    }
    // never before a pushback has passed (a kick then starts it at that instant)
    if (at < this.notBefore) at = this.notBefore
    return at <= now ? undefined : at
  }

  /**
   * A rejection carried pushback: no attempt before `until` (milliseconds).
   * A hedge `pending` at an earlier instant moves to `until`, and the
   * schedule after it moves back as far (gRPC resets the hedging timer), so
   * the attempts held do not all leave together when it ends.
   */
  holdUntil(until: number, pending: number | undefined): void {
    if (until > this.notBefore) this.notBefore = until
    if (pending !== undefined && pending < until) this.shift += until - pending
  }

  /**
   * Whether a rejection's `pushback` (what it holds the run to, kernel
   * `pushbackUntil`: Clock millis or `"stop"`; `undefined` for none) holds
   * the next attempt back at `now`: a stop, or an instant still to come.
   */
  holdsBack(pushback: number | "stop" | undefined, now: number): boolean {
    return pushback !== undefined && (pushback === "stop" || pushback > now)
  }

  /**
   * An attempt was rejected with `outcome`. Returns whether it is kept as the
   * result-to-be (the first rejection); any later one is the glue's to free.
   */
  reject(outcome: O): boolean {
    if (this.firstRejected !== undefined) return false
    this.firstRejected = outcome
    return true
  }

  /**
   * After a rejection: whether the next attempt starts at once. It does when
   * one is scheduled (`pending`); otherwise, while attempts remain, the
   * rejection is kept to start the next one as soon as it is arranged.
   */
  startsNext(pending: boolean): boolean {
    if (pending) return true
    if (!this.exhausted) this.kicks++
    return false
  }

  /** Whether the run is over without an accepted outcome: nothing more will be sent, nothing is in flight. */
  settled(inFlight: number): boolean {
    return this.exhausted && inFlight === 0
  }
}
