/**
 * The rules of one strategy run that every strategy shares: how attempts are
 * named, what budget an attempt deadline leaves, when an attempt needs a cut
 * of its own, which attempt pays into the retry budget and which outcome ends
 * a run. Times are Clock milliseconds read by the caller.
 */

/** What a classifier says of an attempt's outcome. */
export type Verdict = "accept" | "reject"

/**
 * `"first"` for attempt 0; `"hedge"` for an attempt sent beside others;
 * `"retry"` for one sent after an earlier one failed.
 */
export type AttemptKind = "first" | "hedge" | "retry"

/** The kind attempt `number` is reported as: attempt 0 of a run is always the first, whoever sends it. */
export const attemptKind = (number: number, kind: AttemptKind): AttemptKind => number === 0 ? "first" : kind

/**
 * Whether an attempt whose deadline is `attemptDeadline` needs a cut of its
 * own: only when it is earlier than the run's deadline (the run's own cut
 * covers it otherwise).
 */
export const hasOwnCut = (attemptDeadline: number, runDeadline: number): boolean => attemptDeadline < runDeadline

/**
 * Whether attempt `number` deposits into the retry budget (the first attempt
 * of a run) rather than withdrawing from it (every later one, which is not
 * sent when the budget refuses).
 */
export const deposits = (number: number): boolean => number === 0

/** Whether an outcome ends the run: it was accepted, or the run's deadline passed. */
export const isFinal = (verdict: Verdict, expired: boolean | undefined): boolean =>
  verdict === "accept" || expired === true

/**
 * What a run makes of a pushback (a wait in milliseconds, or `"stop"`) read at
 * `now` with its deadline at `deadline`: `"wait"`, `"stop"`, or `"deadline"`
 * when the wait reaches the deadline (no attempt sent then could complete, so
 * the run ends at once rather than sleep to its deadline).
 */
export const pushbackDecision = (
  pushback: number | "stop",
  now: number,
  deadline: number
): "wait" | "stop" | "deadline" => pushback === "stop" ? "stop" : now + pushback >= deadline ? "deadline" : "wait"

/**
 * What a rejected outcome's pushback holds the run to: the Clock millis before
 * which no attempt is sent, or `"stop"` for a stop, for a wait that reaches
 * the deadline (`pushbackDecision`), and for a wait that is not a number ≥ 0
 * (negative, `NaN`: the hook's value is not trusted to be well formed).
 */
export const pushbackUntil = (pushback: number | "stop", now: number, deadline: number): number | "stop" => {
  if (pushback === "stop" || !(pushback >= 0)) return "stop"
  return pushbackDecision(pushback, now, deadline) === "wait" ? now + pushback : "stop"
}
