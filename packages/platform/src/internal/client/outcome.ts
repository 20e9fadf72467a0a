/**
 * Stage 4 of an attempt: its outcome, interpreted once. The classifier runs
 * once per attempt (its verdict is kept with the response or error it judged,
 * so the breaker and the strategy read the same verdict), and one record
 * (exit, verdict, status label, duration, kind, whether its deadline cut it)
 * is what the span and the metrics read.
 */
import type { CircuitBreaker, ConcurrencyLimit, Deadline, Strategy } from "@aio-request/core"
import * as status_ from "@aio-request/kernel/http/status"
import type * as Duration from "effect/Duration"
import * as Exit from "effect/Exit"
import type * as ResilientHttpClient from "../../ResilientHttpClient.js"
import type * as ResponseClassifier from "../../ResponseClassifier.js"
import {
  failureOption,
  type HttpClientError,
  type HttpClientResponse,
  isInterruptedOnly,
  isRequestRefused as isRefused,
  statusInput
} from "../line.js"
import type { EnrichError, InvalidRedirectError, TooManyRedirectsError } from "./errors.js"

/** What an attempt can fail with. @internal */
export type AttemptError =
  | HttpClientError.HttpClientError
  | Deadline.DeadlineExceededError
  | CircuitBreaker.CircuitBreakerOpenError
  | TooManyRedirectsError
  | InvalidRedirectError
  | EnrichError
  | ConcurrencyLimit.LoadShedError

/** @internal */
export type AttemptExit = Exit.Exit<HttpClientResponse.HttpClientResponse, AttemptError>

/**
 * The one record of an attempt.
 *
 * @internal
 */
export interface Outcome {
  readonly attempt: number
  readonly kind: Strategy.AttemptKind
  readonly exit: AttemptExit
  readonly verdict: Strategy.Verdict
  /** The `response_status` label: the status, or 408 / 488 / 489 / 499 / 502 for outcomes without one. */
  readonly status: number
  /** Whether a deadline cut it (its own or the run's). */
  readonly cut: boolean
  /** From its start to its end or cut, as the strategy measured it. */
  readonly duration: Duration.Duration
}

/** Whether `error` is the caller's own request that could not be sent (encoding, URL). @internal */
export const isRequestRefused: (error: ResilientHttpClient.Error) => boolean = isRefused

/**
 * An error of the client's own making, decided before or instead of the
 * upstream's answer: it ends the request (no other attempt), is not a circuit
 * failure, and nothing (more) is sent.
 *
 * @internal
 */
export const isFinal = (error: AttemptError): boolean => {
  switch (error._tag) {
    case "EnrichError":
    case "InvalidRedirectError":
      return true
    case "DeadlineExceededError":
      return error.reason === "below-threshold"
    default:
      return isRequestRefused(error)
  }
}

/**
 * The seed's status for an outcome without a response (408, 488, 489, 502),
 * or the status of the response the error carries.
 *
 * @internal
 */
export const errorStatus = (error: ResilientHttpClient.Error): number => status_.errorStatus(statusInput(error))

/** @internal */
export interface Judge {
  /** The verdict on an attempt's exit; the classifier runs once per response or error. */
  readonly verdict: (exit: AttemptExit) => Strategy.Verdict
  /** Whether the breaker counts the exit as a failure. */
  readonly isCircuitFailure: (exit: Exit.Exit<HttpClientResponse.HttpClientResponse, unknown>) => boolean
}

/**
 * `shared`: whether a breaker judges the attempts too; only then is each
 * verdict kept for the strategy's second look. `endsCall`: whether a
 * `LoadShedError` of the client's concurrency limit ends the call (accepted,
 * the first attempt's) or not (rejected: a retry or hedge refused as it was
 * sent).
 *
 * @internal
 */
export const makeJudge = (
  classifier: ResponseClassifier.ResponseClassifier,
  shared: boolean,
  endsCall: (error: object) => boolean = () => true
): Judge => {
  // the verdict of each response or error judged, so that the breaker (inside
  // the attempt) and the strategy (after it) share one classifier call
  const verdicts = new WeakMap<object, Strategy.Verdict>()
  const judge = (exit: AttemptExit, key: object): Strategy.Verdict => {
    if (!shared) return classifier(exit)
    let verdict = verdicts.get(key)
    if (verdict === undefined) {
      verdict = classifier(exit)
      verdicts.set(key, verdict)
    }
    return verdict
  }
  const verdict = (exit: AttemptExit): Strategy.Verdict => {
    if (Exit.isSuccess(exit)) return judge(exit, exit.value)
    const failure = failureOption(exit.cause)
    if (failure._tag === "None") return classifier(exit)
    if (failure.value._tag === "LoadShedError") return endsCall(failure.value) ? "accept" : "reject"
    if (isFinal(failure.value)) return "accept"
    return typeof failure.value === "object" && failure.value !== null
      ? judge(exit, failure.value)
      : classifier(exit)
  }
  return {
    verdict,
    isCircuitFailure: (exit) => {
      if (Exit.isFailure(exit)) {
        const failure = failureOption(exit.cause)
        // interrupted (a hedge lost, the caller left): says nothing about the upstream
        if (failure._tag === "None") {
          return !isInterruptedOnly(exit.cause) && classifier(exit as AttemptExit) === "reject"
        }
        if (isFinal(failure.value as AttemptError)) return false
      }
      return verdict(exit as AttemptExit) === "reject"
    }
  }
}

/** The record of an attempt the strategy reported. @internal */
export const make = (
  reported: Strategy.AttemptOutcome<HttpClientResponse.HttpClientResponse, AttemptError>
): Outcome => {
  const exit = reported.exit
  let status: number
  if (Exit.isSuccess(exit)) {
    status = exit.value.status
  } else {
    const failure = failureOption(exit.cause)
    status = failure._tag === "Some" ? errorStatus(failure.value) : status_.interruptedStatus(reported.cut)
  }
  return {
    attempt: reported.attempt,
    kind: reported.kind,
    exit,
    verdict: reported.verdict,
    status,
    cut: reported.cut,
    duration: reported.duration
  }
}
