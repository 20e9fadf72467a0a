import * as kernel from "@aio-request/kernel/strategy/sequential"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Strategy from "../../Strategy.js"
import * as deadline_ from "../deadline.js"
import * as delays_ from "../delays.js"
import { currentTimeMillis } from "../line.js"
import * as validate from "../validate.js"
import type { Outcome } from "./attempt.js"
import type { Coordinator } from "./coordinator.js"
import { attemptsOption, make, type Result, type Then } from "./strategy.js"

/** @internal */
export const sequential = (options?: Strategy.Strategy.SequentialOptions): Strategy.Strategy => {
  const where = "Strategy.sequential"
  validate.optionsBag(where, options)
  const attempts = attemptsOption(where, options?.attempts)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const attemptDeadline = options?.attemptDeadline === undefined
    ? deadline_.passThrough
    : validate.callable(where, "attemptDeadline", options.attemptDeadline)
  return make(`Strategy.sequential(${attempts})`, <A, E, R>(run: Coordinator<A, E, R>, then: Then<A, E, R>) => {
    run.observes(delays)
    /** Sends attempt `i` (number `number` in the run) under its attempt deadline; `f` gets its outcome. */
    const send = (i: number, number: number, f: (outcome: Outcome<A, E>) => Result<A, E, R>): Result<A, E, R> =>
      Effect.flatMap(
        attemptDeadline({ deadline: run.options.deadline, attempt: i, attempts }),
        (deadline) => run.launch(number, "retry", deadline, (attempt) => run.await(attempt, delays, f))
      )
    /** After attempt `i - 1`'s outcome: attempt `i`, or the end. */
    const next = (outcome: Outcome<A, E>, i: number): Result<A, E, R> =>
      kernel.shouldRetry(outcome.verdict, outcome.expired, i, attempts) ? retry(i, outcome) : then(outcome)
    /** Attempt `i` ≥ 1, after the last one was rejected. */
    const retry = (i: number, last: Outcome<A, E>): Result<A, E, R> => {
      // a server's pushback: stop, or wait at least until it has passed
      const pushback = last.pushback
      if (pushback === "stop") return then(last)
      return Effect.flatMap(delays.delay(i, run.key), (delay) => {
        const wait = pushback === undefined
          ? Duration.toMillis(delay)
          : Math.max(Duration.toMillis(delay), pushback - currentTimeMillis(run.clock))
        // *(seed)* no time left for the wait: the last outcome stands
        const plan = kernel.retryPlan(wait, currentTimeMillis(run.clock), run.deadline)
        if (plan === "stop") return then(last)
        // the budget is asked before the wait: a refused retry must not delay the answer
        return run.admit((number) => {
          if (number === undefined) return then(last)
          const sent = () => send(i, number, (outcome) => run.drop(last, () => next(outcome, i + 1)))
          if (plan === "now") return sent()
          return run.sleepUntil(
            currentTimeMillis(run.clock) + wait,
            (expired) => expired ? run.drop(last, () => Effect.flatMap(run.expire(), then)) : sent()
          )
        })
      })
    }
    return run.admit((number) =>
      number === undefined ? then(undefined) : send(0, number, (outcome) => next(outcome, 1))
    )
  })
}
