import * as Effect from "effect/Effect"
import type * as RetryBudget from "../RetryBudget.js"

/** @internal */
export const unlimited: RetryBudget.RetryBudget.Service = {
  deposit: Effect.void,
  tryWithdraw: Effect.succeed(true)
}
