/**
 * µs of CPU time (user + system, `process.cpuUsage`: steadier than wall time
 * on a shared machine) per call of `Strategy.run` against its peers, all
 * measured side by side in one run, inside one running fiber, alternating
 * subjects over several rounds (median of the rounds):
 *
 * - `Strategy.run(single)` against `Effect.timeout` around the same attempt
 *   (target ≤ 0.5×);
 * - `Strategy.run(parallel(3))` whose first attempt is accepted before any
 *   hedge, against `Strategy.run(single)` (target ≤ 1.5×);
 * - `Strategy.run(sequential(3))`, first attempt accepted, against single;
 * - `Strategy.run(sequential(3))` against `Effect.retry` with a `Schedule`
 *   (`Schedule.recurs(2)`) under `Effect.timeout`: once with the first attempt
 *   accepted, once with two failures before the accepted one (no delays).
 *
 *   cd packages/core && npx tsx bench/strategy.ts
 *
 * BENCH_ITERATIONS sets the calls per measurement (default 20,000),
 * BENCH_ROUNDS the rounds (default 5).
 */
import { Deadline, Delays, Strategy } from "@aio-request/core"
import { Effect, Exit, Schedule } from "effect"
import { report } from "../../../bench/figure.js"

const iterations = Number(process.env.BENCH_ITERATIONS ?? 20_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)

const bare = Effect.succeed(1)
const classify = (exit: Exit.Exit<number, unknown>) => Exit.isSuccess(exit) ? "accept" as const : "reject" as const

/** Fails `failures` times, then succeeds, over and over (one counter per subject). */
const flaky = (failures: number) => {
  let calls = 0
  return Effect.suspend(() => calls++ % (failures + 1) < failures ? Effect.fail("ko" as const) : Effect.succeed(1))
}

type Subject = (deadline: Deadline.Deadline) => Effect.Effect<unknown, unknown>

const flaky2 = flaky(2)
const flaky2ForRetry = flaky(2)
const noDelay = Delays.constant(0)
const parallel3 = Strategy.parallel({ attempts: 3 })
const sequential3 = Strategy.sequential({ attempts: 3 })
const sequential3NoDelay = Strategy.sequential({ attempts: 3, delays: noDelay })

const subjects: Record<string, Subject> = {
  "bare attempt": () => bare,
  "Effect.timeout": () => Effect.timeout(bare, "1 hour"),
  "Strategy.run(single)": (deadline) => Strategy.run(Strategy.single, { attempt: () => bare, classify, deadline }),
  "Strategy.run(parallel(3)), first accepted": (deadline) =>
    Strategy.run(parallel3, { attempt: () => bare, classify, deadline }),
  "Strategy.run(sequential(3)), first accepted": (deadline) =>
    Strategy.run(sequential3, { attempt: () => bare, classify, deadline }),
  "Effect.retry(recurs(2)) + Effect.timeout, first accepted": () =>
    Effect.timeout(Effect.retry(bare, Schedule.recurs(2)), "1 hour"),
  "Strategy.run(sequential(3)), third accepted": (deadline) =>
    Strategy.run(sequential3NoDelay, { attempt: () => flaky2, classify, deadline }),
  "Effect.retry(recurs(2)) + Effect.timeout, third accepted": () =>
    Effect.timeout(Effect.retry(flaky2ForRetry, Schedule.recurs(2)), "1 hour")
}

const measure = (subject: Subject, n: number) =>
  Effect.gen(function*() {
    const deadline = yield* Deadline.fromTimeout("1 hour")
    const effect = subject(deadline)
    const start = process.cpuUsage()
    for (let i = 0; i < n; i++) yield* Effect.exit(effect)
    const used = process.cpuUsage(start)
    return (used.user + used.system) / n
  })

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const program = Effect.gen(function*() {
  const samples: Record<string, Array<number>> = {}
  for (const [name, subject] of Object.entries(subjects)) {
    yield* measure(subject, Math.ceil(iterations / 5)) // warm-up
    samples[name] = []
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, subject] of Object.entries(subjects)) samples[name]!.push(yield* measure(subject, iterations))
  }
  const us = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))
  console.log(
    `Strategy.run, attempt answering at once, ${iterations} calls per measurement, median of ${rounds} rounds, one fiber, CPU µs (node ${process.version})`
  )
  console.log("| subject | µs/call |")
  console.log("|---|---:|")
  for (const [name, value] of Object.entries(us)) console.log(`| ${name} | ${value.toFixed(2)} |`)
  console.log("")

  const figure = (
    id: string,
    title: string,
    subject: string,
    anchor: string,
    target?: { readonly text: string; readonly max: number }
  ) => {
    const value = us[subject]!
    const anchorValue = us[anchor]!
    const ratio = value / anchorValue
    console.log(
      `${title}: ${value.toFixed(2)} µs against ${anchor} ${anchorValue.toFixed(2)} µs = ${ratio.toFixed(2)}×${
        target === undefined ? "" : ` (target ${target.text}: ${ratio <= target.max ? "met" : "missed"})`
      }`
    )
    report({
      id,
      title,
      value,
      unit: "µs/op",
      anchor,
      anchorValue,
      ratio,
      ...(target === undefined ? {} : { target: target.text, met: ratio <= target.max })
    })
  }
  figure(
    "strategy.single_vs_timeout",
    "Strategy.run(single) / Effect.timeout",
    "Strategy.run(single)",
    "Effect.timeout",
    {
      text: "≤ 0.5× Effect.timeout",
      max: 0.5
    }
  )
  figure(
    "strategy.parallel_vs_single",
    "Strategy.run(parallel(3)), first accepted / single",
    "Strategy.run(parallel(3)), first accepted",
    "Strategy.run(single)",
    { text: "≤ 1.5× Strategy.run(single)", max: 1.5 }
  )
  figure(
    "strategy.sequential_vs_single",
    "Strategy.run(sequential(3)), first accepted / single",
    "Strategy.run(sequential(3)), first accepted",
    "Strategy.run(single)"
  )
  figure(
    "strategy.sequential_vs_retry",
    "Strategy.run(sequential(3)) / Effect.retry + Effect.timeout, first accepted",
    "Strategy.run(sequential(3)), first accepted",
    "Effect.retry(recurs(2)) + Effect.timeout, first accepted"
  )
  figure(
    "strategy.sequential_vs_retry_third",
    "Strategy.run(sequential(3)) / Effect.retry + Effect.timeout, third accepted",
    "Strategy.run(sequential(3)), third accepted",
    "Effect.retry(recurs(2)) + Effect.timeout, third accepted"
  )
})

await Effect.runPromise(program)
