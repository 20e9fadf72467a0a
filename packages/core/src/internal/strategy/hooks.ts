/**
 * The user's hooks of a `Strategy.run` (`onAttempt`, `release`), guarded so
 * that a hook that fails or dies cannot change the run's result.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { catchCause } from "../line.js"

/**
 * `hook` with its failures and defects logged and ignored.
 *
 * @internal
 */
export const guard = <X>(
  name: string,
  hook: ((x: X) => Effect.Effect<void>) | undefined
): ((x: X) => Effect.Effect<void>) | undefined =>
  hook === undefined ? undefined : (x) =>
    catchCause(
      Effect.suspend(() => hook(x)),
      (cause) => Effect.logWarning(`Strategy.run: ${name} failed`, cause)
    )
