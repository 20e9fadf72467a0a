/**
 * ns per call of `Strategy.run` around an attempt that is accepted at once,
 * against the bare attempt, all inside one running fiber, side by side.
 *
 *   cd packages/core && npx tsx bench/strategy.ts
 */
import { Deadline, Strategy } from "@aio-request/core"
import { Effect, Exit } from "effect"

const bare = Effect.succeed(1)
const classify = (exit: Exit.Exit<number, unknown>) => Exit.isSuccess(exit) ? "accept" as const : "reject" as const

const measure = (
  name: string,
  iterations: number,
  make: (deadline: Deadline.Deadline) => Effect.Effect<number, unknown>
) =>
  Effect.gen(function*() {
    const deadline = process.env.BENCH_INFINITE ? Deadline.unsafeMake(Infinity) : yield* Deadline.fromTimeout("1 hour")
    const effect = make(deadline)
    for (let i = 0; i < iterations / 10; i++) yield* effect // warm-up
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) yield* effect
    const ns = Number(process.hrtime.bigint() - start) / iterations
    return { name, ns }
  })

const program = Effect.gen(function*() {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 200_000)
  const parallel = Strategy.parallel({ attempts: 3 })
  const sequential = Strategy.sequential({ attempts: 3 })
  const rows = []
  for (let round = 0; round < 2; round++) {
    rows.length = 0
    rows.push(yield* measure("bare attempt", iterations, () => bare))
    // the floor for any deadline on Effect's Clock: one timer fiber racing the work
    rows.push(
      yield* measure("Effect.timeoutFail (floor)", iterations, () =>
        Effect.timeoutFail(bare, {
          duration: "1 hour",
          onTimeout: () => "timeout"
        }))
    )
    rows.push(
      yield* measure("Strategy.single", iterations, (deadline) =>
        Strategy.run(Strategy.single, {
          attempt: () => bare,
          classify,
          deadline
        }))
    )
    rows.push(
      yield* measure("Strategy.sequential(3)", iterations, (deadline) =>
        Strategy.run(sequential, {
          attempt: () => bare,
          classify,
          deadline
        }))
    )
    rows.push(
      yield* measure("Strategy.parallel(3)", iterations / 4, (deadline) =>
        Strategy.run(parallel, {
          attempt: () => bare,
          classify,
          deadline
        }))
    )
  }
  const base = rows[0]!.ns
  console.log(`Strategy.run, attempt accepted at once, ${iterations} iterations, one fiber (node ${process.version})`)
  console.log("name                       ns/call   added ns   ratio to bare")
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(26)} ${row.ns.toFixed(0).padStart(7)}   ${(row.ns - base).toFixed(0).padStart(8)}   ${
        (row.ns / base).toFixed(1).padStart(8)
      }x`
    )
  }
})

Effect.runPromise(program)
