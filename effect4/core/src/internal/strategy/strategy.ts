import type * as Effect from "effect/Effect"
import { pipeArguments } from "effect/Pipeable"
import type * as Strategy from "../../Strategy.js"
import type * as deadline_ from "../deadline.js"
import * as validate from "../validate.js"
import type { Outcome } from "./attempt.js"
import type { Coordinator } from "./coordinator.js"

/** @internal */
export const TypeId: typeof Strategy.TypeId = Symbol.for("@aio-request/core/Strategy") as typeof Strategy.TypeId

/**
 * What a run returns.
 *
 * @internal
 */
export type Result<A, E, R> = Effect.Effect<A, E | deadline_.DeadlineExceededError, R>

/**
 * A strategy's continuation: what the run does with its last outcome
 * (`undefined` when the retry budget refused even the first attempt).
 *
 * @internal
 */
export type Then<A, E, R> = (outcome: Outcome<A, E> | undefined) => Result<A, E, R>

/**
 * What a strategy does in a run: it sends attempts through the coordinator
 * and ends by calling `then` with its last outcome.
 *
 * @internal
 */
export type Body = <A, E, R>(run: Coordinator<A, E, R>, then: Then<A, E, R>) => Result<A, E, R>

interface StrategyImpl extends Strategy.Strategy {
  readonly body: Body
  /** Picks the body from the run's options before the run starts (`byMethod`). */
  readonly select?: (options: Strategy.RunOptions<any, any, any>) => Body
}

const StrategyProto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/**
 * A strategy described by `description` (its `toString`) that runs `body`,
 * or the body `select` picks from the run's options.
 *
 * @internal
 */
export const make = (
  description: string,
  body: Body,
  select?: (options: Strategy.RunOptions<any, any, any>) => Body
): Strategy.Strategy => {
  const self = Object.create(StrategyProto) as { body: Body; select?: typeof select; toString: () => string }
  self.body = body
  self.toString = () => description
  if (select !== undefined) self.select = select
  return self as unknown as StrategyImpl
}

/** @internal */
export const isStrategy = (u: unknown): u is Strategy.Strategy => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const bodyOf = (strategy: Strategy.Strategy): Body => (strategy as StrategyImpl).body

/**
 * The body that runs `strategy` with `options`.
 *
 * @internal
 */
export const bodyFor = (strategy: Strategy.Strategy, options: Strategy.RunOptions<any, any, any>): Body => {
  const select = (strategy as StrategyImpl).select
  return select === undefined ? bodyOf(strategy) : select(options)
}

/** @internal */
export const attemptsOption = (where: string, attempts: number | undefined): number =>
  validate.integer(where, "attempts", attempts ?? 3, 1)

/** @internal */
export const strategyOption = (where: string, option: string, value: Strategy.Strategy): Strategy.Strategy =>
  isStrategy(value) ? value : validate.fail(where, option, "a Strategy", value)
