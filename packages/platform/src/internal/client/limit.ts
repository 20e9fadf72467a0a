/**
 * Stage 2b, only when the client has a `concurrencyLimit`: admission by the
 * limit, per attempt, under the priority the call sends. An admitted attempt
 * holds a slot from before the circuit breaker until its answer (or error)
 * arrives, and tells the limit what it saw (a 503 or a deadline is a drop,
 * kernel/http/clientLimit). A refused first attempt ends the call with
 * `LoadShedError`. Retries and hedges are checked where the strategy asks
 * the retry budget for them: one the limit would refuse now is not sent, as
 * if the budget had refused it, and the call goes on with the attempts it
 * has. Admissions and refusals are counted per endpoint and priority.
 */
import type { Priority, RetryBudget, Strategy } from "@aio-request/core"
import { ConcurrencyLimit } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/clientLimit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import {
  type Counter,
  currentTimeMillis,
  failureOption,
  type HttpClientResponse,
  isInterruptedOnly,
  withLabels
} from "../line.js"
import { clientAdmitted, clientShed } from "../metrics.js"
import type { Request } from "./attempt.js"
import type { AttemptError } from "./outcome.js"

type Response = HttpClientResponse.HttpClientResponse

/** @internal */
export interface Limit {
  /** Runs `effect` (attempt `context.attempt` of `request`) if the limit admits it now. */
  readonly admit: (
    request: Request,
    context: Strategy.AttemptContext,
    effect: Effect.Effect<Response, AttemptError>
  ) => Effect.Effect<Response, AttemptError>
  /** The retry budget the strategy asks before a retry or hedge of `request`: `inner`, behind a check of the limit. */
  readonly budget: (inner: RetryBudget.RetryBudget.Service, request: Request) => RetryBudget.RetryBudget.Service
  /** Whether `error` is a refusal that ends the call (the first attempt's). */
  readonly endsCall: (error: object) => boolean
}

interface Counters {
  readonly admitted: Counter
  readonly shed: Counter
}

/** Endpoints whose counters are kept (an `endpointProvider` may name many); past this, the cache starts afresh. */
const maxEndpoints = 100

const ignored = (): ConcurrencyLimit.Outcome => "ignored"

/**
 * `undefined` without a `concurrencyLimit` (nothing on the request path
 * changes; config.ts checked the option).
 *
 * @internal
 */
export const make = (
  limiter: ConcurrencyLimit.ConcurrencyLimit.Service | undefined
): Limit | undefined => {
  if (limiter === undefined) return undefined
  // the refusals that end their call (first attempts): the verdict reads them
  const ending = new WeakSet<object>()
  const counters = new Map<string, Counters>()
  const countersFor = (endpoint: string, priority: Priority.Priority): Counters => {
    const key = `${priority} ${endpoint}`
    let found = counters.get(key)
    if (found === undefined) {
      if (counters.size >= maxEndpoints * 3) counters.clear()
      const tag = (metric: Counter) => withLabels(metric, { request_endpoint: endpoint, request_priority: priority })
      found = { admitted: tag(clientAdmitted), shed: tag(clientShed) }
      counters.set(key, found)
    }
    return found
  }

  const admit: Limit["admit"] = (request, context, effect) => {
    const counted = countersFor(request.scope, request.priority)
    const deadlineMillis = context.deadline.epochMillis
    const clock = request.clock
    const classify = (exit: Exit.Exit<Response, AttemptError>): ConcurrencyLimit.Outcome => {
      if (Exit.isSuccess(exit)) return kernel.responseOutcome(exit.value.status)
      const failure = failureOption(exit.cause)
      return kernel.failureOutcome(
        failure._tag === "Some" && failure.value._tag === "DeadlineExceededError",
        failure._tag === "None" && isInterruptedOnly(exit.cause),
        currentTimeMillis(clock),
        deadlineMillis
      )
    }
    return Effect.catchIf(
      limiter.admit(
        request.priority,
        Effect.suspend(() => {
          request.record.count(counted.admitted, 1)
          return effect
        }),
        classify
      ),
      (error): error is ConcurrencyLimit.LoadShedError => error instanceof ConcurrencyLimit.LoadShedError,
      (error) => {
        if (kernel.refusalEndsCall(context.attempt)) ending.add(error)
        request.record.count(counted.shed, 1)
        return Effect.fail(error)
      }
    )
  }

  const budget: Limit["budget"] = (inner, request) => {
    const priority = request.priority
    const counted = countersFor(request.scope, priority)
    // takes a slot and gives it back at once, telling the limit nothing
    const check = Effect.matchEffect(limiter.admit(priority, Effect.void, ignored), {
      onFailure: () =>
        Effect.sync(() => {
          request.record.count(counted.shed, 1)
          return false
        }),
      onSuccess: () => inner.tryWithdraw
    })
    return { deposit: inner.deposit, tryWithdraw: check }
  }

  return { admit, budget, endsCall: (error) => ending.has(error) }
}
