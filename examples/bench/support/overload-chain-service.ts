/**
 * One service of the overload chain (`bench/overload-chain.ts` starts each in
 * its own process, so that on a busy machine each gets its own share of the
 * CPU): `upstream`, or `front <upstream URL> <mode>`. Prints `URL <url>` once
 * listening, then serves until killed. The scenario's options follow:
 * --capacity --service --timeout --retry-after [--hedge]. On the line its
 * parent runs on (the same tsx loader and tsconfig).
 */
import { Effect, Main } from "@aio-request/line/demo"
import { defaults, front, makeAttempts, type Mode, modeOptions, upstream } from "../../src/overload/chain.js"
import { arg } from "../../src/overload/model.js"

const [role, upstreamUrl, mode] = process.argv.slice(2)
const p = {
  capacity: arg("capacity", defaults.capacity),
  service: arg("service", defaults.service),
  timeout: arg("timeout", defaults.timeout),
  shedRetryAfter: arg("retry-after", defaults.shedRetryAfter),
  strategy: process.argv.includes("--hedge") ? "hedge" as const : "retry" as const
}

const program = Effect.gen(function*() {
  const url = role === "upstream"
    ? (yield* upstream(p)).url
    : yield* front(p, upstreamUrl!, yield* modeOptions(mode as Mode, p), makeAttempts())
  console.log(`URL ${url}`)
  return yield* Effect.never
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Main))).catch((e) => {
  console.error(e)
  process.exit(1)
})
