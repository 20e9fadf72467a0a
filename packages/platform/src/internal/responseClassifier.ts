import type { Strategy } from "@aio-request/core"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Headers from "../Headers.js"
import type * as ResponseClassifier from "../ResponseClassifier.js"

/** @internal */
export const classifyResponse = (
  response: HttpClientResponse.HttpClientResponse,
  verdictForStatus: Readonly<Record<number, Strategy.Verdict>> | undefined
): Strategy.Verdict => {
  const status = response.status
  const explicit = verdictForStatus?.[status]
  if (explicit !== undefined) return explicit
  // only a status that would be rejected needs the header (reading headers converts them on some transports)
  if (status < 500 && status !== 408 && status !== 429) return "accept"
  return response.headers[Headers.DoNotRetry] !== undefined ? "accept" : "reject"
}

/** @internal */
export const make = (options?: ResponseClassifier.DefaultOptions): ResponseClassifier.ResponseClassifier => {
  const verdictForStatus = options?.verdictForStatus
  return (exit) => {
    if (Exit.isSuccess(exit)) return classifyResponse(exit.value, verdictForStatus)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure) && failure.value._tag === "TooManyRedirectsError") return "accept"
    return "reject"
  }
}
