import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import type * as Strategy from "../../Strategy.js"
import * as deadline_ from "../deadline.js"
import { RetryBudget } from "../retryBudget.js"
import { Coordinator } from "./coordinator.js"
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
      const fiber = Fiber.getCurrent()!
      const clock = fiber.getRef(Clock.Clock)
      const now = clock.currentTimeMillisUnsafe()
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
      const budget = fiber.getRef(RetryBudget)
      const body = bodyFor(self, options)
      const state = new Coordinator<A, E, R>(options, budget, clock, fiber, now, restore)
      return body(state, (outcome) => state.finish(outcome))
    })
)
