/**
 * Sequential retries: attempts one after another, stopping at the first
 * accepted outcome, waiting a delay before each retry, and giving up (the
 * last outcome stands) when the wait would outlast the run's deadline.
 */
import { isFinal, type Verdict } from "./run.js"

/** Whether attempt `next` (of `attempts`) is sent after an outcome judged `verdict`. */
export const shouldRetry = (
  verdict: Verdict,
  expired: boolean | undefined,
  next: number,
  attempts: number
): boolean => !isFinal(verdict, expired) && next < attempts

/**
 * What to do before a retry whose wait is `wait` milliseconds, at `now`,
 * with the run's deadline at `deadline`: `"stop"` when less time is left than
 * the wait (the last outcome stands; the retry budget is not asked), `"now"`
 * when there is no wait, `"wait"` otherwise.
 */
export const retryPlan = (wait: number, now: number, deadline: number): "stop" | "now" | "wait" =>
  deadline - now < wait ? "stop" : wait <= 0 ? "now" : "wait"
