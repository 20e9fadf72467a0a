/**
 * The server's load shedding, the parts that need no runtime: what an answer
 * tells the concurrency limit, the `Retry-After` and `X-Retry-After-Ms` of a
 * shed request and the text answered with it.
 */

/** What an answer tells the limit: a 408 (the deadline passed) is a drop, any other a latency sample. */
export const answerOutcome = (status: number): "dropped" | "success" => status === 408 ? "dropped" : "success"

/** Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry. */
export const retryAfterSeconds = (seconds: number): number => Math.max(1, Math.ceil(seconds))

/** Whole milliseconds, at least 1, rounded up: `X-Retry-After-Ms` of a shed request. */
export const retryAfterMillis = (millis: number): number => Math.max(1, Math.ceil(millis))

/** The pushback headers of a shed request told to wait `millis`: `Retry-After` (whole seconds, rounded up) and `X-Retry-After-Ms`. */
export const retryAfterHeaders = (
  millis: number
): { readonly "retry-after": string; readonly "x-retry-after-ms": string } => ({
  "retry-after": String(retryAfterSeconds(millis / 1000)),
  "x-retry-after-ms": String(retryAfterMillis(millis))
})

/** The body of the 503 answered to a shed request. */
export const shedMessage = (priority: string, retryAfter: number): string =>
  `overloaded: ${priority}-priority request shed, retry after ${retryAfter} s\n`
