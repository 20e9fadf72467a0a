import * as kernel from "@aio-request/kernel/priority"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Priority from "../Priority.js"
import { Reference } from "./line.js"
import * as validate from "./validate.js"

/** @internal */
export class CurrentPriority extends Reference<CurrentPriority>()("@aio-request/core/CurrentPriority", {
  defaultValue: () => Option.none<Priority.Priority>()
}) {}

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
export const parse = (s: string | undefined): Option.Option<Priority.Priority> => {
  const priority = kernel.parse(s)
  return priority === undefined ? Option.none() : Option.some(priority)
}

/** @internal */
export const normalize = dual<
  (inherited: Option.Option<Priority.Priority>) => (requested: Priority.Priority) => Priority.Priority,
  (requested: Priority.Priority, inherited: Option.Option<Priority.Priority>) => Priority.Priority
>(2, (requested, inherited) => kernel.normalize(requested, Option.getOrUndefined(inherited)))
