/**
 * The client's reading of a server's pushback (kernel http/pushback.ts: which
 * statuses, which headers, hostile values): the `RunOptions.pushback` hook of
 * one request, counting each pushback read in `aio_request_pushbacks` by what
 * it meant for the call.
 */
import * as kernel from "@aio-request/kernel/http/pushback"
import { pushbackDecision } from "@aio-request/kernel/strategy/run"
import * as Exit from "effect/Exit"
import { withLabels } from "../line.js"
import { pushbacks } from "../metrics.js"
import type { AttemptExit } from "./outcome.js"
import type { RequestRecord } from "./telemetry.js"

/** @internal */
export type Hook = (exit: AttemptExit, now: number) => kernel.Pushback | undefined

/**
 * The hook of one request, whose deadline is `deadline` (Clock millis), for a
 * client that honours waits up to `maxWait` milliseconds.
 *
 * @internal
 */
export const hook = (maxWait: number, record: RequestRecord, deadline: number): Hook => (exit, now) => {
  if (!Exit.isSuccess(exit)) return undefined
  const response = exit.value
  if (!kernel.isPushbackStatus(response.status)) return undefined
  const headers = response.headers
  const wait = kernel.pushback(response.status, headers["retry-after"], headers["x-retry-after-ms"], now, maxWait)
  if (wait !== undefined) {
    const labels = record.route.metrics.labels
    record.count(
      withLabels(pushbacks, {
        request_endpoint: labels.endpoint,
        request_method: labels.method,
        request_path: labels.path,
        pushback_decision: pushbackDecision(wait, now, deadline)
      }),
      1
    )
  }
  return wait
}
