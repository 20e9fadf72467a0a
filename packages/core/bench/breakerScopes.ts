/**
 * The circuit breaker's memory against distinct scopes (issue 21 item 10):
 *
 * 1. the heap growth and the number of `aio_request_circuit_breaker_transitions`
 *    series after 200,000 distinct scopes with default options (`maxScopes`
 *    10,000, `maxScopeLabels` 100), each scope making one call that succeeds
 *    (it stays closed) or fails (it opens); and, for comparison, opening with
 *    the scope label unbounded, as before `maxScopeLabels`;
 * 2. what one closed scope costs: the heap growth per scope over 50,000
 *    distinct scopes with one successful call each, every scope kept
 *    (`maxScopes` 50,000, default `windowsCount` 10), beside the kernel's
 *    state alone (circuit, window, ticket, map entry) for the same scopes.
 *
 * Scope names are made before each first reading, so they are not counted.
 *
 *   cd packages/core && npx tsx --expose-gc bench/breakerScopes.ts
 *
 * Without `--expose-gc` the heap is read without a forced GC and the figures
 * mean little. BENCH_SCOPES and BENCH_CLOSED change the two counts.
 */
import { CircuitBreaker } from "@aio-request/core"
import { Breaker } from "@aio-request/kernel/breaker"
import { Effect, Exit, Metric } from "effect"

const opening = Number(process.env.BENCH_SCOPES ?? 200_000)
const closed = Number(process.env.BENCH_CLOSED ?? 50_000)

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()
const heapBytes = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const MiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

const series = (): number =>
  Effect.runSync(Metric.snapshot).filter((pair) => pair.metricKey.name === "aio_request_circuit_breaker_transitions")
    .length

const options = {
  breakDuration: "10 seconds",
  samplingDuration: "30 seconds",
  minimumThroughput: 1,
  failureThreshold: 0.5
} as const

/**
 * Lets Effect's scheduler and the event loop run what they hold: a finished
 * run's last tasks (and the fiber that returned the previous breaker) would
 * otherwise be collected during the next reading.
 */
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await Effect.runPromise(Effect.yieldNow())
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * The heap growth while `build` runs and what it builds stays alive, in a
 * frame of its own: nothing of it is still reachable once this returns (a
 * suspended async function keeps its registers, so a value awaited in the
 * caller could outlive its use and skew the next reading).
 */
const measure = async <A>(build: () => Promise<A>, read: (built: A) => Promise<number> | number) => {
  await settle()
  const before = heapBytes()
  const built = await build()
  const after = heapBytes()
  return { bytes: after - before, count: await read(built) }
}

/** One call per scope, failing (the scope opens) or not; returns the breaker. */
const callAll = (names: ReadonlyArray<string>, fail: boolean, maxScopes?: number, maxScopeLabels?: number) =>
  Effect.runPromise(Effect.gen(function*() {
    const breaker = yield* CircuitBreaker.make({ ...options, maxScopes, maxScopeLabels })
    const call = fail ? Effect.fail("boom") : Effect.succeed(1)
    for (const name of names) yield* Effect.exit(breaker.execute(name, call, Exit.isFailure))
    return breaker
  }))

const keptScopes = (breaker: CircuitBreaker.CircuitBreaker.Service) =>
  Effect.runPromise(Effect.map(breaker.state, (state) => state.size))

const main = async () => {
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
    console.log("(no --expose-gc: heap figures without a forced GC)")
  }
  console.log(`\n${opening} distinct scopes, default options (maxScopes 10,000, maxScopeLabels 100):\n`)
  console.log("| each scope | scope label | transitions series | heap growth MiB | scopes kept |")
  console.log("|---|---|---:|---:|---:|")
  const runs = [
    ["one call, succeeds (closed)", false, "bounded (100)", undefined],
    ["one call, fails (opens)", true, "bounded (100)", undefined],
    ["one call, fails (opens)", true, "unbounded (before)", Number.MAX_SAFE_INTEGER]
  ] as const
  const growth: Array<readonly [bytes: number, series: number]> = []
  for (const [what, fail, label, bound] of runs) {
    const names = Array.from({ length: opening }, (_, i) => `${growth.length}-scope-${i}`)
    const seriesBefore = series()
    const { bytes, count } = await measure(() => callAll(names, fail, undefined, bound), keptScopes)
    const added = series() - seriesBefore
    growth.push([bytes, added])
    console.log(`| ${what} | ${label} | ${added} | ${MiB(bytes)} | ${count} |`)
  }
  const [bounded, unbounded] = [growth[1]!, growth[2]!]
  console.log(
    `\none transitions series: about ${
      ((unbounded[0] - bounded[0]) / (unbounded[1] - bounded[1]) / 1024).toFixed(2)
    } KiB (the unbounded run less the bounded one, per extra series)`
  )

  const names = Array.from({ length: closed }, (_, i) => `closed-scope-${i}`)
  const glue = await measure(() => callAll(names, false, closed), keptScopes)
  const state = await measure(async () => {
    const breaker = new Breaker({
      breakMillis: 10_000,
      bucketMillis: 3_000,
      windowsCount: 10,
      minimumThroughput: 1,
      failureThreshold: 0.5,
      maxScopes: closed
    })
    for (const name of names) {
      const ticket = breaker.admit(name, 0)
      if (ticket._tag === "Run") breaker.complete(name, ticket, false, 0)
    }
    return breaker
  }, (breaker) => breaker.circuits.size)
  const perScope = glue.bytes / glue.count
  console.log(
    `\none closed scope (${glue.count} kept, one call each, windowsCount 10): ${(perScope / 1024).toFixed(2)} KiB,`
  )
  console.log(
    `of which ${
      (state.bytes / state.count / 1024).toFixed(2)
    } KiB the kernel's state (circuit, window, ticket, map entry)`
  )
  console.log(`maxScopes 10,000 closed scopes at that size: ${MiB(perScope * 10_000)} MiB`)
}

await main()
