/**
 * Says whether the outcome of one attempt is good enough to stop at
 * (`"accept"`) or should be tried again (`"reject"`), for the strategies of a
 * `ResilientHttpClient` and its circuit breaker (a rejected outcome counts as
 * a failure).
 *
 * @since 0.1.0
 */
import type { Strategy } from "@aio-request/core"
import type * as Exit from "effect/Exit"
import type { HttpClientResponse } from "./internal/line.js"
import * as internal from "./internal/responseClassifier.js"
import type * as ResilientHttpClient from "./ResilientHttpClient.js"

/**
 * A pure function of an attempt's outcome: a response, or the error the
 * attempt failed with.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseClassifier {
  (exit: Exit.Exit<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error>): Strategy.Verdict
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DefaultOptions {
  /** Verdicts by status, consulted before anything else. */
  readonly verdictForStatus?: Readonly<Record<number, Strategy.Verdict>> | undefined
}

/**
 * Python aio-request's `DefaultResponseClassifier`: `verdictForStatus` first; a response
 * with `X-Do-Not-Retry` → accept; 5xx, 408 and 429 → reject; other responses
 * → accept; `TooManyRedirectsError` → accept; every other error (transport,
 * deadline, open circuit) → reject.
 *
 * @example
 * import { ResilientHttpClient, ResponseClassifier } from "@aio-request/platform"
 *
 * ResilientHttpClient.layer({
 *   endpoint: "http://inventory:8080/",
 *   // a 404 from this upstream means "not replicated yet": try another attempt
 *   classifier: ResponseClassifier.default({ verdictForStatus: { 404: "reject" } })
 * })
 * @since 0.1.0
 * @category constructors
 */
export const defaultClassifier: (options?: DefaultOptions) => ResponseClassifier = internal.make

export {
  /**
   * @since 0.1.0
   * @category constructors
   */
  defaultClassifier as default
}
