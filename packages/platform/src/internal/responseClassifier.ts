import { Options } from "@aio-request/core"
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

const where = "ResponseClassifier.default"

const verdicts: ReadonlyArray<Strategy.Verdict> = ["accept", "reject"]

/**
 * Checks `verdictForStatus` (keys HTTP status codes, values "accept" or
 * "reject") and copies it, so a later change to the caller's object does not
 * change the classifier.
 */
const verdictTable = (
  options: ResponseClassifier.DefaultOptions | undefined
): Readonly<Record<number, Strategy.Verdict>> | undefined => {
  if (options === undefined) return undefined
  Options.record(where, "options", options)
  if (options.verdictForStatus === undefined) return undefined
  Options.record(where, "verdictForStatus", options.verdictForStatus)
  const table: Record<number, Strategy.Verdict> = {}
  for (const [key, verdict] of Object.entries(options.verdictForStatus)) {
    const status = Number(key)
    if (!/^[1-5][0-9][0-9]$/.test(key)) {
      Options.fail(where, "verdictForStatus", "keyed by HTTP status codes (100 to 599)", key)
    }
    table[status] = Options.oneOf(where, `verdictForStatus.${key}`, verdict, verdicts)
  }
  return table
}

/** @internal */
export const make = (options?: ResponseClassifier.DefaultOptions): ResponseClassifier.ResponseClassifier => {
  const verdictForStatus = verdictTable(options)
  return (exit) => {
    if (Exit.isSuccess(exit)) return classifyResponse(exit.value, verdictForStatus)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure) && failure.value._tag === "TooManyRedirectsError") return "accept"
    return "reject"
  }
}
