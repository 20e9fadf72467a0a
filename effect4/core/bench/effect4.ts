/**
 * The Effect 4 line's cost per call, side by side in one run (CPU time, user + system,
 * median of BENCH_ROUNDS rounds of BENCH_ITERATIONS calls, subjects alternating):
 *
 * - `Strategy.run(single)` against Effect 4's `Effect.timeout` around the same attempt
 *   (issue 19's target: ≤ 1.0×);
 * - `Strategy.run(parallel(3))` whose first attempt is accepted before any hedge, against
 *   `Strategy.run(single)` (target ≤ 1.5×);
 * - `CircuitBreaker.execute` on a closed scope against cockatiel 3.2.1 `execute`
 *   (target ≤ 1.0×).
 *
 * Needs Node 22 (as the Effect 4 line's tests). Prints the table, then one
 * `BENCH {json}` line per ratio (ids `effect4.*`) for `pnpm bench`, which runs
 * it as the suite `effect4-core` (`pnpm bench --only effect4-core`). Alone,
 * from the root:
 *
 *   node scripts/node22.mjs --import tsx effect4/core/bench/effect4.ts
 */
import { circuitBreaker, handleAll, SamplingBreaker } from "cockatiel"
import { Effect, Exit } from "effect"
import { report } from "../../../bench/figure.js"
import { CircuitBreaker, Deadline, Strategy } from "../src/index.js"

const quick = process.env.BENCH_QUICK === "1"
const iterations = Number(process.env.BENCH_ITERATIONS ?? (quick ? 20_000 : 100_000))
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 5))

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** CPU µs per call of `loop(n)`, after a warm-up of a fifth of the calls. */
const time = async (loop: (n: number) => Promise<void>): Promise<number> => {
  await loop(Math.ceil(iterations / 5))
  const start = process.cpuUsage()
  await loop(iterations)
  const used = process.cpuUsage(start)
  return (used.user + used.system) / iterations
}

/** `effect` `n` times inside one running fiber. */
const effectLoop = (effect: Effect.Effect<unknown, unknown>) => (n: number) =>
  Effect.runPromise(Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* Effect.exit(effect)
  }))

const main = async () => {
  const bare = Effect.succeed(1)
  const classify = (exit: Exit.Exit<number, unknown>) => Exit.isSuccess(exit) ? "accept" as const : "reject" as const
  const deadline = await Effect.runPromise(Deadline.fromTimeout("1 hour"))
  const parallel3 = Strategy.parallel({ attempts: 3 })

  let sink = 0
  const work = () => sink++
  const breaker = await Effect.runPromise(CircuitBreaker.make({
    breakDuration: "10 seconds",
    samplingDuration: "30 seconds",
    minimumThroughput: 5,
    failureThreshold: 0.2
  }))
  const syncWork = Effect.sync(work)
  const userLoop = (call: () => Effect.Effect<unknown, unknown>) => (n: number) =>
    Effect.runPromise(Effect.gen(function*() {
      for (let i = 0; i < n; i++) yield* call()
    }))
  const cockatiel = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new SamplingBreaker({ threshold: 0.2, duration: 30_000, minimumRps: 5 })
  })

  const subjects: Record<string, (n: number) => Promise<void>> = {
    "bare attempt": effectLoop(bare),
    "Effect.timeout": effectLoop(Effect.timeout(bare, "1 hour")),
    "Strategy.run(single)": effectLoop(Strategy.run(Strategy.single, { attempt: () => bare, classify, deadline })),
    "Strategy.run(parallel(3)), first accepted": effectLoop(
      Strategy.run(parallel3, { attempt: () => bare, classify, deadline })
    ),
    // the breaker's subjects run as their users run them: `yield*` per call inside one fiber (no
    // `Effect.exit` around each: cockatiel's loop has nothing around its `await` either), ours
    // calling `execute` for every call as cockatiel's `execute(fn)` is called, same protected work
    "bare Effect.sync": userLoop(() => syncWork),
    "CircuitBreaker.execute": userLoop(() => breaker.execute("scope", syncWork, Exit.isFailure)),
    "cockatiel 3.2.1 execute": async (n) => {
      for (let i = 0; i < n; i++) await cockatiel.execute(work)
    }
  }

  const samples: Record<string, Array<number>> = {}
  for (let round = 0; round < rounds; round++) {
    for (const [name, loop] of Object.entries(subjects)) (samples[name] ??= []).push(await time(loop))
  }
  const us = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))

  console.log(
    `Effect 4 line, ${iterations} calls per measurement, median of ${rounds} rounds, CPU µs per call (node ${process.version})\n`
  )
  console.log("| subject | µs/call |")
  console.log("|---|---:|")
  for (const [name, value] of Object.entries(us)) console.log(`| ${name} | ${value.toFixed(3)} |`)
  console.log("")
  const ratio = (id: string, title: string, subject: string, anchor: string, max: number, against: string) => {
    const r = us[subject]! / us[anchor]!
    console.log(`${title}: ${r.toFixed(2)}× (target ≤ ${max.toFixed(1)}×: ${r <= max ? "met" : "missed"})`)
    return () =>
      report({
        id: `effect4.${id}`,
        title: `Effect 4: ${title}`,
        value: us[subject]!,
        unit: "µs/op",
        anchor,
        anchorValue: us[anchor]!,
        ratio: r,
        target: `≤ ${max.toFixed(1)}× ${against}`,
        met: r <= max
      })
  }
  const figures = [
    ratio(
      "strategy.single_vs_timeout",
      "Strategy.run(single) / Effect.timeout",
      "Strategy.run(single)",
      "Effect.timeout",
      1.0,
      "Effect.timeout"
    ),
    ratio(
      "strategy.parallel3_vs_single",
      "Strategy.run(parallel(3)), first accepted / single",
      "Strategy.run(parallel(3)), first accepted",
      "Strategy.run(single)",
      1.5,
      "single"
    ),
    ratio(
      "breaker.execute_vs_cockatiel",
      "CircuitBreaker.execute (closed scope) / cockatiel 3.2.1 execute",
      "CircuitBreaker.execute",
      "cockatiel 3.2.1 execute",
      1.0,
      "cockatiel"
    )
  ]
  console.log("")
  for (const figure of figures) figure()
}

await main()
