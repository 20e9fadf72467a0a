/**
 * Python aio-request's response classification rules: which statuses are
 * rejected (tried again, counted as a circuit failure) and which accepted,
 * and the check of a caller's table of verdicts by status.
 */

/** What a classifier says of an attempt's outcome. */
export type Verdict = "accept" | "reject"

/** The verdicts. */
export const verdicts: ReadonlyArray<Verdict> = ["accept", "reject"]

/**
 * Whether a response with `status` is rejected unless it carries
 * `X-Do-Not-Retry`: 5xx, 408 and 429. Every other status is accepted (without
 * reading the header).
 */
export const isRetryableStatus = (status: number): boolean => status >= 500 || status === 408 || status === 429

/**
 * The verdict on a response without a verdict of the caller's for its
 * status: a retryable status is rejected unless the response carries
 * `X-Do-Not-Retry` (`doNotRetry`); any other is accepted.
 */
export const classifyStatus = (status: number, doNotRetry: boolean): Verdict =>
  isRetryableStatus(status) && !doNotRetry ? "reject" : "accept"

/**
 * The verdict on an attempt that failed without a response: too many
 * redirects is accepted (the answer will not change); every other error
 * (transport, deadline, open circuit) is rejected.
 */
export const classifyError = (tag: string | undefined): Verdict => tag === "TooManyRedirectsError" ? "accept" : "reject"

const statusCode = /^[1-5][0-9][0-9]$/

/** Whether `key` (of a `verdictForStatus` table) spells an HTTP status code, 100 to 599. */
export const isStatusCode = (key: string): boolean => statusCode.test(key)
