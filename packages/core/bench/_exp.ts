import { Effect, Ref, Clock, Option, Exit } from "effect"
import { RetryBudget, Deadline } from "@aio-request/core"
const bare = Effect.succeed(1)
const m = (name: string, n: number, e: Effect.Effect<any, any>) => Effect.gen(function*() {
  for (let i = 0; i < n; i++) yield* e
  const s = process.hrtime.bigint()
  for (let i = 0; i < n; i++) yield* e
  console.log(name.padEnd(20), (Number(process.hrtime.bigint() - s) / n).toFixed(0))
})
Effect.runPromise(Effect.gen(function*() {
  yield* m("gen", 50000, Effect.gen(function*() { return yield* bare }))
  yield* m("budget", 50000, Effect.gen(function*() { return yield* RetryBudget.RetryBudget }))
  yield* m("ref", 50000, Ref.make(0))
  yield* m("clock", 50000, Clock.currentTimeMillis)
  yield* m("provide", 50000, Effect.provideService(bare, Deadline.CurrentDeadline, Option.none()))
  yield* m("exit", 50000, Effect.exit(bare))
  yield* m("yield exit", 50000, Effect.flatMap(Effect.exit(bare), (e) => e))
  yield* m("scoped", 50000, Effect.scoped(bare))
}))
