import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Strategy from "../../Strategy.js"
import * as deadline_ from "../deadline.js"
import {
  clockOf,
  contextOf,
  currentFiber,
  currentTimeMillis,
  currentTimeNanos,
  forkIn,
  pollExit,
  referenceOf,
  type RuntimeFiber
} from "../line.js"
import { RetryBudget, unlimited } from "../retryBudget.js"
import { Coordinator } from "./coordinator.js"
import { guard } from "./hooks.js"
import { type Plain, plainOf } from "./plain.js"
import { bodyFor } from "./strategy.js"

/**
 * Runs a strategy on the caller's fiber: attempts are forked, everything else
 * (timers, hedges, the run's deadline) is an event the caller waits for. The
 * run's deadline is one entry in the clock's shared timer, set when the run
 * first waits: a run whose first attempt ends at once costs one fork and no
 * timer entry.
 *
 * @internal
 */
export const run = dual<
  <A, E, R>(
    options: Strategy.RunOptions<A, E, R>
  ) => (self: Strategy.Strategy) => Effect.Effect<A, E | deadline_.DeadlineExceededError, R>,
  <A, E, R>(
    self: Strategy.Strategy,
    options: Strategy.RunOptions<A, E, R>
  ) => Effect.Effect<A, E | deadline_.DeadlineExceededError, R>
>(
  2,
  <A, E, R>(self: Strategy.Strategy, options: Strategy.RunOptions<A, E, R>) =>
    // one step: the mask's own, which runs on the caller's fiber
    Effect.uninterruptibleMask<A, E | deadline_.DeadlineExceededError, R>((restore) => {
      const fiber = currentFiber()
      const clock = clockOf(fiber)
      const now = currentTimeMillis(clock)
      const deadline = options.deadline.epochMillis
      if (deadline <= now) {
        return Effect.fail(
          new deadline_.DeadlineExceededError({
            reason: "expired",
            budget: Duration.zero,
            phase: "run",
            subject: options.subject
          })
        )
      }
      const budget = referenceOf(fiber, RetryBudget)
      const body = bodyFor(self, options)
      const plain = budget === unlimited && options.pushback === undefined ? plainOf(body) : undefined
      if (
        plain !== undefined &&
        (plain.hooks === true || (options.onAttempt === undefined && options.release === undefined))
      ) return plainRun(plain, options, budget, clock, fiber, now, restore)
      const state = new Coordinator<A, E, R>(options, budget, clock, fiber, now, restore)
      return body(state, (outcome) => state.finish(outcome))
    })
)

/**
 * A run with nothing to pay into, of a strategy that starts with attempt 0
 * under the run's deadline (`single`, `parallel`), and nothing to report or
 * release unless the strategy's `Plain` takes `hooks`: the attempt is forked
 * here, and the coordinator (its events, alarms and attempt records) is
 * built only when the strategy still needs one once the fork returns
 * (`Plain`): an attempt accepted at once costs one fork. With `hooks`, an
 * attempt that ended at once is the run's result (nothing is held or
 * released) and is reported to `onAttempt` here, as the coordinator would.
 */
const plainRun = <A, E, R>(
  plain: Plain,
  options: Strategy.RunOptions<A, E, R>,
  budget: typeof unlimited,
  clock: Clock.Clock,
  fiber: RuntimeFiber<unknown, unknown>,
  now: number,
  restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
): Effect.Effect<A, E | deadline_.DeadlineExceededError, R> => {
  const deadline = options.deadline
  const effect = options.attempt({ attempt: 0, kind: "first", deadline })
  const context = Context.add(contextOf(fiber), deadline_.CurrentDeadline, Option.some(deadline))
  const onAttempt = options.onAttempt
  const startNanos = onAttempt === undefined ? 0n : currentTimeNanos(clock)
  return forkIn(fiber, context, effect, (child) => {
    const exit: Exit.Exit<A, E> | undefined = pollExit(child)
    if (exit === undefined) {
      const run = new Coordinator(options, budget, clock, fiber, now, restore)
      run.firstStartNanos = startNanos
      return plain.running(child, run)
    }
    if (onAttempt === undefined) {
      return plain.ended(exit, options, () => new Coordinator<A, E, R>(options, budget, clock, fiber, now, restore))
    }
    // `hooks`: the exit is the run's result, judged once and reported, as `ended` and the coordinator would
    const verdict = options.classify(exit)
    const duration = Duration.nanos(currentTimeNanos(clock) - startNanos)
    return Effect.andThen(
      guard("onAttempt", onAttempt)!({ attempt: 0, kind: "first", exit, verdict, duration, cut: false }),
      exit
    )
  })
}
