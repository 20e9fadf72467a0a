/**
 * The server middleware's deadline arithmetic: the deadline a request's
 * `X-Request-Timeout` sets, when a request is answered 408 without running,
 * and the decision, made once per request, that its answer is a 408.
 */

/** Whether the answer is a 408: `pending` until whoever comes first decides. */
export type Outcome = "pending" | "timedOut" | "answered"

/** What the 408 decision reads and writes of a request: a plain object the glue owns. */
export interface Decision {
  readonly options: {
    readonly cancelOnTimeout: boolean
    readonly lowTimeoutThresholdMillis: number
  }
  /** The deadline in force, in epoch milliseconds. */
  readonly deadline: { readonly epochMillis: number }
  outcome: Outcome
}

/** The header's timeout (milliseconds, or `undefined` without one) capped by `maxTimeoutMillis`. */
export const cappedTimeout = (headerMillis: number | undefined, maxTimeoutMillis: number): number | undefined =>
  headerMillis === undefined ? undefined : Math.min(headerMillis, maxTimeoutMillis)

/**
 * When the request arrived, in epoch milliseconds: `nowMillis` less the time
 * since its arrival on the clock's nanoseconds.
 */
export const arrivalMillis = (nowMillis: number, nowNanos: bigint, arrivalNanos: bigint): number =>
  nowMillis - Number(nowNanos - arrivalNanos) / 1e6

/**
 * Whether a request is answered 408 without running: its header's timeout is
 * below the threshold, or (with `cancelOnTimeout`: nothing is answered past
 * the deadline) its header's deadline passed between its arrival and now.
 */
export const refusedOnArrival = (
  headerTimeoutMillis: number,
  headerDeadlineMillis: number,
  nowMillis: number,
  options: Decision["options"]
): boolean =>
  headerTimeoutMillis < options.lowTimeoutThresholdMillis ||
  (options.cancelOnTimeout && headerDeadlineMillis <= nowMillis)

/** Whether `leftMillis` is too little to start a handler: nothing, or below the threshold. */
export const tooLittleLeft = (leftMillis: number, lowTimeoutThresholdMillis: number): boolean =>
  leftMillis <= 0 || leftMillis < lowTimeoutThresholdMillis

/** Decides that the answer is 408, unless another answer was decided first. */
export const claimTimeout = (state: Decision): boolean => {
  if (state.outcome === "answered") return false
  state.outcome = "timedOut"
  return true
}

/**
 * Whether the answer, about to be `status`, is a 408 instead; decided once.
 * With `cancelOnTimeout`, nothing but 408 is answered once the deadline has
 * passed, and a 5xx with less than `lowTimeoutThreshold` left (typically an
 * outgoing call that ran out of the same deadline a moment before the
 * middleware's timer) is a 408 too.
 */
export const decide = (state: Decision, status: number, nowMillis: number): boolean => {
  if (state.outcome !== "pending") return state.outcome === "timedOut"
  let late = false
  if (state.options.cancelOnTimeout) {
    const left = state.deadline.epochMillis - nowMillis
    late = left <= 0 || (status >= 500 && left < state.options.lowTimeoutThresholdMillis)
  }
  state.outcome = late ? "timedOut" : "answered"
  return late
}

/** The status recorded for a request: 499 when the caller went away, 408 when so decided, else the answer's. */
export const recordedStatus = (state: Decision, answered: number, clientAborted: boolean, nowMillis: number): number =>
  clientAborted ? 499 : decide(state, answered, nowMillis) ? 408 : answered
