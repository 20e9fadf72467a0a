/**
 * The client's concurrency limit, the parts that need no runtime: what an
 * attempt's end tells the limit (the same three outcomes the server reports),
 * and which refusal ends a call.
 */

/** What a finished attempt tells the limit. */
export type Outcome = "success" | "dropped" | "ignored"

/**
 * What an answer tells the limit: a 503 (the upstream shed the attempt, or
 * could not serve it) is a drop; any other status is a latency sample.
 */
export const responseOutcome = (status: number): "success" | "dropped" => status === 503 ? "dropped" : "success"

/**
 * What an attempt that ended without an answer tells the limit: one that ran
 * out of time (a `DeadlineExceededError`, or interrupted at or after its
 * attempt deadline: the strategy cut it) is a drop; any other end (a
 * transport error, an open circuit, a hedge that lost, the caller gone) says
 * nothing about the load.
 */
export const failureOutcome = (
  deadlineExceeded: boolean,
  interrupted: boolean,
  nowMillis: number,
  deadlineMillis: number
): Outcome => deadlineExceeded || (interrupted && nowMillis >= deadlineMillis) ? "dropped" : "ignored"

/**
 * Whether a refusal by the limit ends the call: the first attempt's does (the
 * call fails with `LoadShedError`); a retry or hedge refused is not sent and
 * the call goes on with the attempts it has.
 */
export const refusalEndsCall = (attempt: number): boolean => attempt === 0
