import type { Priority } from "@aio-request/core"
import { ConcurrencyLimit, Options } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/loadShedding"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import { type App, HttpServerResponse, withLabels } from "../line.js"
import { serverShed } from "../metrics.js"

/**
 * The server middleware's load shedding: admission of each request by a
 * `ConcurrencyLimit` under its priority, a 503 with `Retry-After` and
 * `X-Retry-After-Ms` for a shed
 * request, and the shed counter. `middleware.ts` calls `make` once and
 * wraps the handling of each request with what it returns.
 */

/** @internal */
export type Admit = <E, R>(
  priority: Priority.Priority,
  handled: App<E, R>,
  timedOut?: () => boolean
) => App<E, R>

/**
 * What an answer tells the limit: a 408 (the deadline passed, or the
 * middleware cut the handler at it) is a drop; any other answer is a latency
 * sample; an interruption (the caller went away) and a failure are ignored,
 * unless the failure is a `DeadlineExceededError` (a drop).
 *
 * @internal
 */
export const classify = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>): ConcurrencyLimit.Outcome =>
  Exit.isSuccess(exit)
    ? kernel.answerOutcome(exit.value.status)
    : ConcurrencyLimit.defaultClassify(exit)

/**
 * `undefined` without a `concurrencyLimit`; otherwise the wrapper admitting
 * each request. Options are checked here.
 *
 * @internal
 */
export const make = (options: ServerMiddleware.Options | undefined): Admit | undefined => {
  const where = "ServerMiddleware.make"
  if (options?.concurrencyLimit === undefined) return undefined
  const limiter = Options.service(where, "concurrencyLimit", options.concurrencyLimit, "ConcurrencyLimit", [
    "admit",
    "state"
  ])
  const retryAfterMillis = Duration.toMillis(
    Options.duration(where, "shedRetryAfter", options.shedRetryAfter ?? "1 second", { positive: true })
  )
  const retryAfter = kernel.retryAfterSeconds(retryAfterMillis / 1000)
  const headers = kernel.retryAfterHeaders(retryAfterMillis)
  const counted = {
    high: withLabels(serverShed, { request_priority: "high" }),
    normal: withLabels(serverShed, { request_priority: "normal" }),
    low: withLabels(serverShed, { request_priority: "low" })
  }
  return <E, R>(
    priority: Priority.Priority,
    handled: App<E, R>,
    timedOut?: () => boolean
  ): App<E, R> => {
    // a LoadShedError from the handler itself (its own limiter) is its error,
    // not a shed by this middleware
    let ran = false
    const run = Effect.suspend(() => {
      ran = true
      return handled
    })
    return limiter.admit(priority, run, (exit) => timedOut?.() === true ? "dropped" : classify(exit)).pipe(
      Effect.catchIf(
        (e): e is ConcurrencyLimit.LoadShedError => !ran && e instanceof ConcurrencyLimit.LoadShedError,
        (e) =>
          Effect.as(
            Metric.update(counted[priority] ?? counted.normal, 1),
            shedResponse(e, retryAfter, headers)
          )
      )
    ) as App<E, R>
  }
}

const shedResponse = (
  error: ConcurrencyLimit.LoadShedError,
  retryAfter: number,
  headers: Readonly<Record<string, string>>
) =>
  HttpServerResponse.text(kernel.shedMessage(error.priority, retryAfter), {
    status: 503,
    headers
  })
