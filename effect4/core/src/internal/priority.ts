import * as kernel from "@aio-request/kernel/priority"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Priority from "../Priority.js"
import * as validate from "./validate.js"

/** @internal */
export const CurrentPriority: Context.Reference<Option.Option<Priority.Priority>> = Context.Reference(
  "@aio-request/core/CurrentPriority",
  { defaultValue: () => Option.none<Priority.Priority>() }
)

/** The type of `CurrentPriority`, under the name the Effect 3 line's class gives it. */
export type CurrentPriority = typeof CurrentPriority

/** @internal */
export const withPriority = dual<
  (priority: Priority.Priority) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, priority: Priority.Priority) => Effect.Effect<A, E, R>
>(2, (self, priority) =>
  Effect.provideService(
    self,
    CurrentPriority,
    Option.some(validate.oneOf("Priority.withPriority", "priority", priority, kernel.priorities))
  ))

/** @internal */
export const parse = (s: string | undefined): Option.Option<Priority.Priority> =>
  Option.fromUndefinedOr(kernel.parse(s))

/** @internal */
export const normalize = dual<
  (inherited: Option.Option<Priority.Priority>) => (requested: Priority.Priority) => Priority.Priority,
  (requested: Priority.Priority, inherited: Option.Option<Priority.Priority>) => Priority.Priority
>(2, (requested, inherited) => kernel.normalize(requested, Option.getOrUndefined(inherited)))
