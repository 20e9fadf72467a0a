/**
 * The server's load shedding, the parts that need no runtime: what an answer
 * tells the concurrency limit, the `Retry-After` of a shed request and the
 * text answered with it.
 */

/** What an answer tells the limit: a 408 (the deadline passed) is a drop, any other a latency sample. */
export const answerOutcome = (status: number): "dropped" | "success" => status === 408 ? "dropped" : "success"

/** Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry. */
export const retryAfterSeconds = (seconds: number): number => Math.max(1, Math.ceil(seconds))

/** The body of the 503 answered to a shed request. */
export const shedMessage = (priority: string, retryAfter: number): string =>
  `overloaded: ${priority}-priority request shed, retry after ${retryAfter} s\n`
