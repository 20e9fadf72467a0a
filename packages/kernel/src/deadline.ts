/**
 * Deadline arithmetic over epoch millis: when a timeout started at `now`
 * ends, what is left of a deadline, and the share of it each attempt gets
 * when a deadline is split between attempts. `now` comes from the glue's
 * Clock read; `Infinity` is a deadline that never passes.
 */

/** An epoch-millis deadline as given (NaN reads as 0: already passed). */
export const epochMillis = (epochMillis: number): number => Number.isNaN(epochMillis) ? 0 : epochMillis

/** The deadline `timeoutMillis` after `now` (a negative timeout is an already passed deadline). */
export const after = (now: number, timeoutMillis: number): number => now + Math.max(0, timeoutMillis)

/** What is left of `deadline` at `now`: never below 0, `Infinity` for a deadline that never passes. */
export const remaining = (deadline: number, now: number): number => {
  const left = deadline - now
  if (left === Infinity) return Infinity
  return left > 0 ? left : 0
}

/** Whether `deadline` has passed at `now`. */
export const isExpired = (deadline: number, now: number): boolean => now >= deadline

/** The earlier of two deadlines (the first one on a tie). */
export const earlier = <D extends { readonly epochMillis: number }>(self: D, that: D): D =>
  self.epochMillis <= that.epochMillis ? self : that

/** How a deadline reads in logs: an ISO instant, or "never". */
export const show = (deadline: number): string => Number.isFinite(deadline) ? new Date(deadline).toISOString() : "never"

/**
 * The deadline of attempt `attempt` (0-based) of `attempts` when what is left
 * of `deadline` at `now` is split evenly between the attempts still to come,
 * over at most `attemptsToSplit` of them (all if `undefined`). The last
 * attempt to split, a deadline that never passes or one already passed
 * keep `deadline` itself (returns `undefined` then: the glue keeps its value).
 */
export const splitShare = (
  deadline: number,
  now: number,
  attempt: number,
  attempts: number,
  attemptsToSplit: number | undefined
): number | undefined => {
  const k = Math.min(attemptsToSplit ?? attempts, attempts)
  const left = deadline - now
  if (k - attempt <= 1 || !Number.isFinite(left) || left <= 0) return undefined
  return now + left / (k - attempt)
}

/** What a `DeadlineExceededError` says about itself; `budget` is already formatted ("1s"). */
export interface Exceeded {
  readonly reason?: "expired" | "below-threshold" | undefined
  readonly budget?: string | undefined
  readonly phase?: "attempt" | "run" | "body" | undefined
  readonly subject?: string | undefined
  readonly attempt?: number | undefined
}

/** The message of a `DeadlineExceededError` with `fields`. */
export const exceededMessage = (fields: Exceeded): string => {
  if (fields.budget === undefined && fields.phase === undefined && fields.subject === undefined) {
    return fields.reason === "below-threshold"
      ? "the remaining deadline is below the low-timeout threshold"
      : "the deadline has passed"
  }
  const budget = fields.budget === undefined ? "" : ` of ${fields.budget}`
  let text: string
  if (fields.reason === "below-threshold") {
    text = `the remaining deadline${budget} is below the low-timeout threshold`
  } else if (fields.phase === "attempt") {
    text = `attempt deadline${budget} exceeded` + (fields.attempt === undefined ? "" : ` in attempt ${fields.attempt}`)
  } else {
    text = `deadline${budget} exceeded`
    if (fields.phase === "body") text += " while reading the body"
    else if (fields.phase === "run" && fields.attempt !== undefined) text += ` with attempt ${fields.attempt} in flight`
  }
  return fields.subject === undefined ? text : `${fields.subject}: ${text}`
}
