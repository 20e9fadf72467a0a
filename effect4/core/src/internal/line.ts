/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 4 line's; packages/core/src/internal/line.ts is
 * its Effect 3 twin, with the same exports.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"

/** What a duration option accepts: Effect 4's `Duration.Input`. */
export type DurationInput = Duration.Input

/** A per-fiber value with a default (`Context.Reference`): Effect 4's has no `Self`. */
export type Reference<_Self, A> = Context.Reference<A>

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()
