/**
 * The `response_status` label of an outcome, as Python aio-request records
 * it: the response's status, or a conventional status for an outcome without
 * a response.
 */

/** The `response_status` of outcomes without a response. */
export const OutcomeStatus: {
  readonly deadlineExceeded: 408
  readonly tooManyRedirects: 488
  readonly networkError: 489
  readonly interrupted: 499
  readonly circuitOpen: 502
} = {
  deadlineExceeded: 408,
  tooManyRedirects: 488,
  networkError: 489,
  interrupted: 499,
  circuitOpen: 502
}

/**
 * The status of an attempt that failed with `error` (tagged by `_tag`):
 * 408 deadline, 488 redirects, 502 open circuit, the response's status for a
 * `ResponseError`, 489 for any other (transport) error.
 */
export const errorStatus = (
  error: { readonly _tag: string; readonly response?: { readonly status: number } }
): number => {
  switch (error._tag) {
    case "DeadlineExceededError":
      return OutcomeStatus.deadlineExceeded
    case "TooManyRedirectsError":
    case "InvalidRedirectError":
      return OutcomeStatus.tooManyRedirects
    case "CircuitBreakerOpenError":
      return OutcomeStatus.circuitOpen
    case "ResponseError":
      return error.response!.status
    default:
      return OutcomeStatus.networkError
  }
}

/** The status of an attempt that ended without an error: 408 if a deadline cut it, else 499 (interrupted). */
export const interruptedStatus = (cut: boolean): number =>
  cut ? OutcomeStatus.deadlineExceeded : OutcomeStatus.interrupted
