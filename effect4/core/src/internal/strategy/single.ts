import type * as Strategy from "../../Strategy.js"
import { make } from "./strategy.js"

/** @internal */
export const single: Strategy.Strategy = make(
  "Strategy.single",
  (run, then) =>
    run.admit((number) =>
      number === undefined
        ? then(undefined)
        : run.launch(number, "retry", run.options.deadline, (attempt) => run.await(attempt, undefined, then))
    )
)
