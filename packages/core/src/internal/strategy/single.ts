import type * as Strategy from "../../Strategy.js"
import { withPlain } from "./plain.js"
import { type Body, make } from "./strategy.js"

const body: Body = (run, then) =>
  run.admit((number) =>
    number === undefined
      ? then(undefined)
      : run.launch(number, "retry", run.options.deadline, (attempt) => run.await(attempt, undefined, then))
  )

/** @internal */
export const single: Strategy.Strategy = make(
  "Strategy.single",
  withPlain(body, {
    hooks: true,
    // the classifier sees every outcome, as in any run; the attempt's exit is the run's
    ended: (exit, options) => {
      options.classify(exit)
      return exit
    },
    running: (fiber, run) => run.await(run.adopt(fiber), undefined, (outcome) => run.finish(outcome))
  })
)
