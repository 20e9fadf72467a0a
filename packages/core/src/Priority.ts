/**
 * The priority of a request, propagated from service to service with the
 * `X-Request-Priority` header and held in the `CurrentPriority` reference.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Reference } from "./internal/line.js"
import * as internal from "./internal/priority.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Priority = "high" | "normal" | "low"

/**
 * The priority of the work in progress, if any. Default: none.
 *
 * @example
 * const inherited = yield* Priority.CurrentPriority // Option<Priority>
 * @since 0.1.0
 * @category references
 */
export const CurrentPriority: Reference<internal.CurrentPriority, Option.Option<Priority>> = internal.CurrentPriority

/**
 * Runs `effect` with `CurrentPriority` set to `priority`: the inherited
 * priority, which a `ResilientHttpClient` without a `priority` option sends
 * as is, and one with an option normalises its own against
 * (docs/propagation.md).
 *
 * @example
 * import { Priority } from "@aio-request/core"
 * import { Effect } from "effect"
 *
 * const callUpstream = Effect.succeed("ok") // a call through a default ResilientHttpClient
 * const urgent = callUpstream.pipe(Priority.withPriority("high")) // sends X-Request-Priority: high
 * @since 0.1.0
 * @category combinators
 */
export const withPriority: {
  (priority: Priority): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, priority: Priority): Effect.Effect<A, E, R>
} = internal.withPriority

/**
 * Reads a priority, ignoring case and surrounding spaces; anything else is none.
 *
 * @example
 * Priority.parse(" HIGH ") // Option.some("high")
 * Priority.parse("urgent") // Option.none()
 * @since 0.1.0
 * @category parsing
 */
export const parse: (s: string | undefined) => Option.Option<Priority> = internal.parse

/**
 * The priority to send, given the one requested and the one inherited:
 * low under an inherited high becomes normal, high under an inherited low
 * becomes normal, otherwise the requested one.
 *
 * @example
 * Priority.normalize("low", Option.some("high")) // "normal"
 * @since 0.1.0
 * @category combinators
 */
export const normalize: {
  (inherited: Option.Option<Priority>): (requested: Priority) => Priority
  (requested: Priority, inherited: Option.Option<Priority>): Priority
} = internal.normalize
