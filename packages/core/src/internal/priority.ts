import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Priority from "../Priority.js"
import * as validate from "./validate.js"

/** @internal */
export class CurrentPriority extends Context.Reference<CurrentPriority>()("@aio-request/core/CurrentPriority", {
  defaultValue: () => Option.none<Priority.Priority>()
}) {}

const priorities: ReadonlyArray<Priority.Priority> = ["high", "normal", "low"]

/** @internal */
export const withPriority = dual<
  (priority: Priority.Priority) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, priority: Priority.Priority) => Effect.Effect<A, E, R>
>(2, (self, priority) =>
  Effect.provideService(
    self,
    CurrentPriority,
    Option.some(validate.oneOf("Priority.withPriority", "priority", priority, priorities))
  ))

/** @internal */
export const parse = (s: string | undefined): Option.Option<Priority.Priority> => {
  if (s === undefined) return Option.none()
  const value = s.trim().toLowerCase()
  return value === "high" || value === "normal" || value === "low" ? Option.some(value) : Option.none()
}

/** @internal */
export const normalize = dual<
  (inherited: Option.Option<Priority.Priority>) => (requested: Priority.Priority) => Priority.Priority,
  (requested: Priority.Priority, inherited: Option.Option<Priority.Priority>) => Priority.Priority
>(2, (requested, inherited) => {
  if (Option.isNone(inherited)) return requested
  if (inherited.value === "high" && requested === "low") return "normal"
  if (inherited.value === "low" && requested === "high") return "normal"
  return requested
})
