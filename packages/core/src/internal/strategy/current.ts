import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Strategy from "../../Strategy.js"
import { Reference } from "../line.js"
import { strategyOption } from "./strategy.js"

/** @internal */
export class CurrentStrategy extends Reference<CurrentStrategy>()("@aio-request/core/CurrentStrategy", {
  defaultValue: () => Option.none<Strategy.Strategy>()
}) {}

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
