/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 3 line's; effect4/core/src/internal/line.ts is
 * its Effect 4 twin, with the same exports.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"

/** What a duration option accepts: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput

/** A per-fiber value with a default (`Context.Reference`): Effect 3's names the class `Self`. */
export type Reference<Self, A> = Context.Reference<Self, A>

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()
