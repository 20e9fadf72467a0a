import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Strategy from "../../Strategy.js"
import { strategyOption } from "./strategy.js"

/** @internal */
export const CurrentStrategy: Context.Reference<Option.Option<Strategy.Strategy>> = Context.Reference(
  "@aio-request/core/CurrentStrategy",
  { defaultValue: () => Option.none<Strategy.Strategy>() }
)

/** The type of `CurrentStrategy`, under the name the Effect 3 line's class gives it. */
export type CurrentStrategy = typeof CurrentStrategy

/** @internal */
export const withStrategy = dual<
  (strategy: Strategy.Strategy) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, strategy: Strategy.Strategy) => Effect.Effect<A, E, R>
>(2, (self, strategy) =>
  Effect.provideService(
    self,
    CurrentStrategy,
    Option.some(strategyOption("Strategy.withStrategy", "strategy", strategy))
  ))
