import { Options } from "@aio-request/core"
import type { Strategy } from "@aio-request/core"
import * as headers from "@aio-request/kernel/http/headers"
import * as kernel from "@aio-request/kernel/http/responseClassifier"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as ResponseClassifier from "../ResponseClassifier.js"
import { failureOption, type HttpClientResponse } from "./line.js"

/** @internal */
export const classifyResponse = (
  response: HttpClientResponse.HttpClientResponse,
  verdictForStatus: Readonly<Record<number, Strategy.Verdict>> | undefined
): Strategy.Verdict => {
  const status = response.status
  const explicit = verdictForStatus?.[status]
  if (explicit !== undefined) return explicit
  // only a status that would be rejected needs the header (reading headers converts them on some transports)
  if (!kernel.isRetryableStatus(status)) return "accept"
  return kernel.classifyStatus(status, response.headers[headers.DoNotRetry] !== undefined)
}

const where = "ResponseClassifier.default"

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
    if (!kernel.isStatusCode(key)) {
      Options.fail(where, "verdictForStatus", "keyed by HTTP status codes (100 to 599)", key)
    }
    table[status] = Options.oneOf(where, `verdictForStatus.${key}`, verdict, kernel.verdicts)
  }
  return table
}

/** @internal */
export const make = (options?: ResponseClassifier.DefaultOptions): ResponseClassifier.ResponseClassifier => {
  const verdictForStatus = verdictTable(options)
  return (exit) => {
    if (Exit.isSuccess(exit)) return classifyResponse(exit.value, verdictForStatus)
    const failure = failureOption(exit.cause)
    return kernel.classifyError(Option.isSome(failure) ? failure.value._tag : undefined)
  }
}
