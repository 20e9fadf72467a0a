import * as kernel from "@aio-request/kernel/strategy/run"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Strategy from "../../Strategy.js"
import * as delays_ from "../delays.js"
import { currentTimeMillis } from "../line.js"
import * as validate from "../validate.js"
import type { Outcome } from "./attempt.js"
import type { Coordinator } from "./coordinator.js"
import { bodyOf, isStrategy, make, type Result, strategyOption, type Then } from "./strategy.js"

/** @internal */
export const retryUntilDeadline = dual<
  (options?: Strategy.Strategy.RetryUntilDeadlineOptions) => (base: Strategy.Strategy) => Strategy.Strategy,
  (base: Strategy.Strategy, options?: Strategy.Strategy.RetryUntilDeadlineOptions) => Strategy.Strategy
>((args) => args.length === 2 || isStrategy(args[0]), (base, options) => {
  const where = "Strategy.retryUntilDeadline"
  strategyOption(where, "base", base)
  validate.optionsBag(where, options)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const inner = bodyOf(base)
  return make(
    `Strategy.retryUntilDeadline(${String(base)})`,
    <A, E, R>(run: Coordinator<A, E, R>, then: Then<A, E, R>) => {
      /** Round `round` of `base`, after the rounds whose last outcome was `last`. */
      const loop = (round: number, last: Outcome<A, E> | undefined): Result<A, E, R> =>
        inner(run, (outcome) => {
          // the budget refused even the first attempt of this round: stop here
          if (outcome === undefined) return then(last)
          // a server's pushback: stop, or wait at least until it has passed
          const pushback = outcome.pushback
          if (kernel.isFinal(outcome.verdict, outcome.expired) || pushback === "stop") {
            return run.drop(last, () => then(outcome))
          }
          return run.drop(last, () =>
            Effect.flatMap(delays.delay(round, run.key), (delay) =>
              run.sleepUntil(
                Math.max(currentTimeMillis(run.clock) + Duration.toMillis(delay), pushback ?? 0),
                // the run's deadline ends the loop with DeadlineExceededError
                (expired) =>
                  expired ? run.drop(outcome, () => Effect.flatMap(run.expire(), then)) : loop(round + 1, outcome)
              )))
        })
      return loop(1, undefined)
    }
  )
})
