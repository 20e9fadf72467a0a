import * as kernel from "@aio-request/kernel/strategy/byMethod"
import type * as Strategy from "../../Strategy.js"
import * as validate from "../validate.js"
import { sequential } from "./sequential.js"
import { single } from "./single.js"
import { type Body, bodyOf, make, strategyOption } from "./strategy.js"

/** @internal */
export const byMethod = (
  strategies: Readonly<Record<string, Strategy.Strategy>>,
  fallback: Strategy.Strategy = single
): Strategy.Strategy => {
  const where = "Strategy.byMethod"
  validate.record(where, "strategies", strategies)
  const table = kernel.methodTable<Body>(
    Object.entries(strategies).map(([method, strategy]) => [method, bodyOf(strategyOption(where, method, strategy))]),
    bodyOf(strategyOption(where, "fallback", fallback))
  )
  const select = (options: Strategy.RunOptions<any, any, any>): Body => table.select(options.method)
  return make(
    `Strategy.byMethod(${table.methods.join(", ")})`,
    (run, then) => select(run.options)(run, then),
    select
  )
}

/** @internal */
export const defaultStrategy: Strategy.Strategy = byMethod(
  { GET: sequential(), HEAD: sequential(), OPTIONS: sequential() },
  single
)
