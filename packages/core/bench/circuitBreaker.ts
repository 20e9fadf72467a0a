/**
 * ns of CPU time (user + system, `process.cpuUsage`) per call of
 * `CircuitBreaker.execute` on a closed scope, inside one running fiber, side
 * by side with cockatiel 3.2.1 `circuitBreaker(...).execute` and opossum 9
 * `fire` around the same trivial work (median of the rounds, subjects
 * alternating); then the heap after 100,000 distinct scopes. Each subject is
 * run as its users run it: ours `yield* breaker.execute(...)` per call inside
 * one fiber (an Effect app's loop), cockatiel's and opossum's `await` per call.
 *
 *   cd packages/core && npx tsx --expose-gc bench/circuitBreaker.ts
 *
 * (without `--expose-gc` the heap figures are taken without a forced GC and
 * are noisier). BENCH_ITERATIONS sets the calls per measurement (default 300,000).
 */
import { CircuitBreaker } from "@aio-request/core"
import { circuitBreaker, handleAll, SamplingBreaker } from "cockatiel"
import { Effect, Exit } from "effect"
import Opossum from "opossum"
import { report } from "../../../bench/figure.js"

const iterations = Number(process.env.BENCH_ITERATIONS ?? 300_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)

let sink = 0
const work = () => sink++

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()
const heapMiB = () => {
  gc()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

const time = async (run: (n: number) => Promise<void>): Promise<number> => {
  await run(Math.ceil(iterations / 5)) // warm-up
  const start = process.cpuUsage()
  await run(iterations)
  const used = process.cpuUsage(start)
  return (used.user + used.system) * 1000 / iterations
}

const options = {
  breakDuration: "10 seconds",
  samplingDuration: "30 seconds",
  minimumThroughput: 5,
  failureThreshold: 0.2
} as const

const main = async () => {
  const breaker = await Effect.runPromise(CircuitBreaker.make(options))
  const effectWork = Effect.sync(work)

  // one Effect.runPromise around the whole loop: every call inside one running fiber
  const effectLoop = (effect: Effect.Effect<number, unknown>) => (n: number) =>
    Effect.runPromise(Effect.gen(function*() {
      for (let i = 0; i < n; i++) yield* effect
    }))

  const bare = effectLoop(effectWork)
  // `execute` called for every call, as a user calls it (as cockatiel's `execute(fn)` is called
  // for every call below), around the same protected work
  const ours = (n: number) =>
    Effect.runPromise(Effect.gen(function*() {
      for (let i = 0; i < n; i++) yield* breaker.execute("scope", effectWork, Exit.isFailure)
    }))

  const cockatiel = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new SamplingBreaker({ threshold: 0.2, duration: 30_000, minimumRps: 5 })
  })
  const cockatielLoop = async (n: number) => {
    for (let i = 0; i < n; i++) await cockatiel.execute(work)
  }

  // opossum's default per-call timeout arms a timer per call: off, so it measures the breaker only
  const opossum = new Opossum(async () => work(), {
    timeout: false,
    errorThresholdPercentage: 20,
    resetTimeout: 10_000,
    rollingCountTimeout: 30_000,
    volumeThreshold: 5
  })
  const opossumLoop = async (n: number) => {
    for (let i = 0; i < n; i++) await opossum.fire()
  }
  const asyncBare = async (n: number) => {
    for (let i = 0; i < n; i++) await work()
  }

  const samples: Record<string, Array<number>> = {}
  const keep = (name: string, ns: number) => (samples[name] ??= []).push(ns)
  for (let round = 0; round < rounds; round++) {
    keep("bare Effect (Effect.sync)", await time(bare))
    keep("CircuitBreaker.execute", await time(ours))
    keep("bare await", await time(asyncBare))
    keep("cockatiel 3.2.1 execute", await time(cockatielLoop))
    keep("opossum 9 fire", await time(opossumLoop))
  }
  opossum.shutdown()
  const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  const ns = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))

  const oursNs = ns["CircuitBreaker.execute"]!
  console.log(
    `\nexecute on a closed scope, ${iterations} calls per measurement, median of ${rounds} rounds, CPU ns per call\n`
  )
  console.log("| subject | ns/op | ours / subject |")
  console.log("|---|---:|---:|")
  for (const [name, value] of Object.entries(ns)) {
    console.log(`| ${name} | ${value.toFixed(1)} | ${(oursNs / value).toFixed(2)} |`)
  }
  const cockatielNs = ns["cockatiel 3.2.1 execute"]!
  const opossumNs = ns["opossum 9 fire"]!
  console.log(
    `\nCircuitBreaker.execute / cockatiel: ${(oursNs / cockatielNs).toFixed(2)}× (target ≤ 1.0×: ${
      oursNs <= cockatielNs ? "met" : "missed"
    }); / opossum: ${(oursNs / opossumNs).toFixed(2)}×`
  )
  report({
    id: "breaker.execute_vs_cockatiel",
    title: "CircuitBreaker.execute (closed scope) / cockatiel 3.2.1 execute",
    value: oursNs,
    unit: "ns/op",
    anchor: "cockatiel 3.2.1 execute",
    anchorValue: cockatielNs,
    ratio: oursNs / cockatielNs,
    target: "≤ 1.0× cockatiel",
    met: oursNs <= cockatielNs
  })
  report({
    id: "breaker.execute_vs_opossum",
    title: "CircuitBreaker.execute (closed scope) / opossum 9 fire",
    value: oursNs,
    unit: "ns/op",
    anchor: "opossum 9 fire",
    anchorValue: opossumNs,
    ratio: oursNs / opossumNs
  })
  report({
    id: "breaker.bare_effect_vs_cockatiel",
    title: "bare Effect.sync in the same loop / cockatiel 3.2.1 execute (the floor of any Effect-based breaker here)",
    value: ns["bare Effect (Effect.sync)"]!,
    unit: "ns/op",
    anchor: "cockatiel 3.2.1 execute",
    anchorValue: cockatielNs,
    ratio: ns["bare Effect (Effect.sync)"]! / cockatielNs
  })

  // heap after 100,000 distinct scopes, with the default bound (maxScopes 10,000)
  const scopes = 100_000
  const before = heapMiB()
  const bounded = await Effect.runPromise(CircuitBreaker.make(options))
  const kept = await Effect.runPromise(Effect.gen(function*() {
    for (let i = 0; i < scopes; i++) yield* bounded.execute(`scope-${i}`, effectWork, Exit.isFailure)
    return (yield* bounded.state).size
  }))
  const after = heapMiB()
  const middle = await Effect.runPromise(Effect.gen(function*() {
    for (let i = scopes; i < 2 * scopes; i++) yield* bounded.execute(`scope-${i}`, effectWork, Exit.isFailure)
    return (yield* bounded.state).size
  }))
  const afterTwice = heapMiB()
  console.log(`\nheap (${typeof (globalThis as { gc?: unknown }).gc === "function" ? "after gc" : "no --expose-gc"}):`)
  console.log(`| | heapUsed MiB | scopes kept |`)
  console.log(`|---|---:|---:|`)
  console.log(`| before | ${before.toFixed(1)} | 0 |`)
  console.log(`| after 100k distinct scopes | ${after.toFixed(1)} | ${kept} |`)
  console.log(`| after 200k distinct scopes | ${afterTwice.toFixed(1)} | ${middle} |`)
  if (sink < 0) console.log(sink)
}

await main()
