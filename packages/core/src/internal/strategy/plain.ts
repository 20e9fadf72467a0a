import type * as Exit from "effect/Exit"
import type * as Strategy from "../../Strategy.js"
import type { RuntimeFiber } from "../line.js"
import type { Coordinator } from "./coordinator.js"
import type { Body, Result } from "./strategy.js"

/**
 * How a strategy goes on when its run is plain (no `onAttempt`, no
 * `release`, no `pushback`, no retry budget) and `run` forked its attempt 0
 * under the run's deadline itself, building no coordinator yet: `ended` when
 * the attempt had already ended (`makeRun` builds the coordinator if one is
 * still needed), `running` when it has not. With `hooks`, runs with
 * `onAttempt` or `release` are plain too: its `ended` only classifies the
 * exit and returns it as the run's result (nothing is held, nothing to
 * release), which `run` does itself when it must report it to `onAttempt`.
 *
 * @internal
 */
export interface Plain {
  /** Its attempt 0 that ended at once is always the run's result (`single`). */
  readonly hooks?: true
  ended<A, E, R>(
    exit: Exit.Exit<A, E>,
    options: Strategy.RunOptions<A, E, R>,
    makeRun: () => Coordinator<A, E, R>
  ): Result<A, E, R>
  running<A, E, R>(fiber: RuntimeFiber<A, E>, run: Coordinator<A, E, R>): Result<A, E, R>
}

/** `body`, which also runs plain runs as `plain` says. */
export const withPlain = (body: Body, plain: Plain): Body => {
  ;(body as Body & { plain?: Plain }).plain = plain
  return body
}

/** How `body` runs a plain run, if it has a way of its own. */
export const plainOf = (body: Body): Plain | undefined => (body as Body & { plain?: Plain }).plain
