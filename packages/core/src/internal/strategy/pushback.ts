/**
 * A rejected attempt's pushback, read when the run has a `RunOptions.pushback`
 * hook: what it holds the run to (kernel `pushbackUntil`).
 */
import * as kernel from "@aio-request/kernel/strategy/run"
import type * as Exit from "effect/Exit"
import type * as Strategy from "../../Strategy.js"
import type * as deadline_ from "../deadline.js"
import { currentTimeMillis } from "../line.js"
import type { Outcome } from "./attempt.js"
import type { Coordinator } from "./coordinator.js"

/**
 * The outcome of an attempt when the run reads pushback (`RunOptions.pushback`
 * is set): a rejected one carries what its pushback means for the run, the
 * Clock millis before which no attempt is sent, or `"stop"` (also for a wait
 * that reaches the run's deadline, or a wait that is not a number ≥ 0).
 *
 * @internal
 */
export const pushbackOutcome = <A, E, R>(
  run: Coordinator<A, E, R>,
  exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>,
  verdict: Strategy.Verdict
): Outcome<A, E> => {
  if (verdict === "accept") return { exit, verdict }
  const now = currentTimeMillis(run.clock)
  let wait: number | "stop" | undefined
  try {
    wait = run.options.pushback!(exit, now)
  } catch (error) {
    // as a classifier's defect: the run dies, nothing may keep running
    run.abandonUnsafe()
    throw error
  }
  if (wait === undefined) return { exit, verdict }
  return { exit, verdict, pushback: kernel.pushbackUntil(wait, now, run.deadline) }
}
