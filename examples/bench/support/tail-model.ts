/**
 * The Tail at Scale bench without the machine: a discrete-event model of the
 * same load (open loop, the backend's draws) in which the hedging policy is
 * the library's own `RetryBudget` and `Delays` (run on `TestClock`, at the
 * model's instants), and the client adds a modelled overhead instead of its
 * real CPU. It counts, per policy and seed, what became of the requests whose
 * first attempt was drawn slow (rescued, refused by the budget, both slow), the
 * extra requests and the percentiles. Use it to tell the policy's behaviour
 * apart from a busy machine's.
 *
 * cd examples && npx tsx bench/support/tail-model.ts [--requests 20000] [--rate 200] [--seeds 5]
 *   [--stalls 1]   (client stalls per second, 10–60 ms each; hedge timers run first after one)
 *   [--policies "p98 5-50 / budget 0.03,p99.9"]   (names, or their beginnings, comma-separated)
 */
import { Delays, RetryBudget } from "@aio-request/core"
import { Clock, Duration, Effect } from "effect"
import { FAST_MS, quantile, SLOW_MS, SLOW_SHARE } from "./backend.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const requests = arg("requests", 20_000)
const rate = arg("rate", 200)
const seeds = arg("seeds", 5)
/** `--stalls R`: the client's event loop stalls R times a second on average, 10–60 ms each. */
const stallsPerSecond = arg("stalls", 0)
const only = process.argv.includes("--policies")
  ? process.argv[process.argv.indexOf("--policies") + 1]!.split(",")
  : undefined

/** A small seeded generator (mulberry32), so that every policy sees the same draws. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Policy {
  readonly name: string
  readonly budget: RetryBudget.RetryBudget.Options
  readonly delays: Effect.Effect<Delays.Delays>
  /** Also observe the losers, at the time they were cut. */
  readonly censored?: boolean
}

interface Client {
  /** The client's overhead added to an attempt's latency (ms). */
  readonly overhead: (random: () => number) => number
  /** How late a hedge timer fires (ms). */
  readonly lateness: (random: () => number) => number
}

/** Fitted to the quiet full run: the learnt p98 was 13.7 ms against the drawn 9.84 ms. */
const quietClient: Client = {
  overhead: (random) => 0.8 + -Math.log(1 - random()) * 1.1,
  lateness: (random) => 1 + random()
}

const draw = (random: () => number) => {
  const [low, high] = random() < SLOW_SHARE ? SLOW_MS : FAST_MS
  return low + (high - low) * random()
}

const simulate = (policy: Policy, client: Client, seed: number) => {
  // the model's instant, as the library's Clock sees it
  let now = 0
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now * 1e6)),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now * 1e6))),
    sleep: () => Effect.dieMessage("the model's clock does not sleep")
  }
  const at = <A>(t: number, effect: Effect.Effect<A>): A => {
    now = t
    return Effect.runSync(Effect.withClock(effect, clock))
  }
  const budget = at(0, RetryBudget.make(policy.budget))
  const delays = at(0, policy.delays)
  const key = "GET /items/{id}"
  const random = rng(seed)
  const drawsOf = (n: number) => Float64Array.from({ length: n }, () => draw(random))
  const overheadsOf = (n: number) => Float64Array.from({ length: n }, () => client.overhead(random))
  // events in time order; kind 0: arrival, 1: the hedge's timer, 2: a completion
  type Event = { t: number; kind: 0 | 1 | 2; i: number }
  const queue: Array<Event> = []
  const push = (e: Event) => {
    // binary insertion (events are mostly appended near the end)
    let lo = 0
    let hi = queue.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (queue[mid]!.t <= e.t) lo = mid + 1
      else hi = mid
    }
    queue.splice(lo, 0, e)
  }
  let extra = 0
  let wasted = 0
  const warmup = Math.floor(requests * 0.15)
  for (let i = 0; i < requests + warmup; i++) push({ t: (i * 1000) / rate, kind: 0, i })
  const total = requests + warmup
  const d1s = drawsOf(total)
  const d2s = drawsOf(total)
  const o1s = overheadsOf(total)
  const o2s = overheadsOf(total)
  const lates = Float64Array.from({ length: total }, () => client.lateness(random))
  // stalls: [start, end) intervals in which the client runs nothing; after one, timers
  // (hedges) run before the I/O that arrived meanwhile (completions), as in Node's loop
  const stalls: Array<readonly [number, number]> = []
  const horizon = (total * 1000) / rate + 5000
  for (let t = 0; stallsPerSecond > 0;) {
    t += (-Math.log(1 - random()) * 1000) / stallsPerSecond
    if (t > horizon) break
    stalls.push([t, t + 10 + 50 * random()])
  }
  let cursor = 0
  const resume = (t: number, io: boolean) => {
    while (cursor < stalls.length && stalls[cursor]![1] <= t - 100) cursor++
    for (let k = cursor; k < stalls.length && stalls[k]![0] <= t; k++) {
      if (t < stalls[k]![1]) return stalls[k]![1] + (io ? 0.01 : 0)
    }
    return t
  }
  // per request: start, first attempt's end and whether it drew slow, the hedge's
  // start and end and whether it drew slow, refused by the budget, latency
  const st = new Float64Array(total)
  const firstF = new Float64Array(total)
  const firstS = new Uint8Array(total)
  const hA = new Float64Array(total).fill(NaN)
  const hE = new Float64Array(total).fill(NaN)
  const hS = new Uint8Array(total)
  const ref = new Uint8Array(total)
  const lat = new Float64Array(total)
  while (queue.length > 0) {
    const e = queue.shift()!
    const i = e.i
    if (e.kind === 0) {
      // arrival: deposit, first attempt, the hedge's delay
      st[i] = e.t
      at(e.t, budget.deposit)
      const d1 = d1s[i]!
      firstS[i] = d1 >= SLOW_MS[0] ? 1 : 0
      firstF[i] = e.t + d1 + o1s[i]!
      const delay = Duration.toMillis(at(e.t, delays.delay(1, key)))
      const hedge = e.t + delay + lates[i]!
      firstF[i] = resume(firstF[i]!, true)
      const fires = resume(hedge, false)
      if (fires < firstF[i]!) push({ t: fires, kind: 1, i })
      push({ t: firstF[i]!, kind: 2, i })
    } else if (e.kind === 1) {
      // the hedge's timer: only if the first attempt is still running
      if (!(firstF[i]! > e.t)) continue
      if (!at(e.t, budget.tryWithdraw)) {
        ref[i] = 1
        continue
      }
      const d2 = d2s[i]!
      hS[i] = d2 >= SLOW_MS[0] ? 1 : 0
      hA[i] = e.t
      hE[i] = resume(e.t + d2 + o2s[i]!, true)
      if (i >= warmup) {
        extra++
        if (firstS[i] === 0) wasted++
      }
      if (hE[i]! < firstF[i]!) push({ t: hE[i]!, kind: 2, i })
    } else {
      // a completion: the winner is observed (once)
      if (lat[i]! > 0) continue
      const end = Math.min(firstF[i]!, Number.isNaN(hE[i]!) ? Infinity : hE[i]!)
      if (e.t !== end) continue
      lat[i] = end - st[i]!
      const won = end === firstF[i]! ? end - st[i]! : end - hA[i]!
      if (delays.observe !== undefined) {
        at(end, delays.observe(key, Duration.millis(won)))
        if (policy.censored === true && !Number.isNaN(hA[i]!)) {
          // the loser, cut now: observed as at least this long
          const lost = end === firstF[i]! ? end - hA[i]! : end - st[i]!
          at(end, delays.observe(key, Duration.millis(lost)))
        }
      }
    }
  }
  // the measured requests are the ones after the warm-up
  let slow = 0
  let rescued = 0
  let refusedSlow = 0
  let refusedAll = 0
  let bothSlow = 0
  for (let i = warmup; i < total; i++) {
    refusedAll += ref[i]!
    if (firstS[i] === 0) continue
    slow++
    if (ref[i] === 1) refusedSlow++
    else if (hS[i] === 1) bothSlow++
    else if (!Number.isNaN(hA[i]!)) rescued++
  }
  const latency = lat.subarray(warmup)
  const sorted = latency.slice().sort()
  const learnt = Duration.toMillis(at(st[total - 1]!, delays.delay(1, key)))
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    extra: (extra / requests) * 100,
    wasted: (wasted / requests) * 100,
    slow,
    rescued,
    refusedSlow,
    refusedAll,
    bothSlow,
    learnt
  }
}

const percentile = (percentile: number, min: number, max = 50) =>
  Delays.percentile({
    percentile,
    min: Duration.millis(min),
    max: Duration.millis(max),
    window: Duration.seconds(300)
  })

const budget03 = { ratio: 0.03, minPerSecond: 0, ttl: "10 seconds" } as const
const budget10 = { ratio: 0.1, minPerSecond: 0, ttl: "10 seconds" } as const
const policies: ReadonlyArray<Policy> = [
  // the configuration of the first full run: p99.9 stayed in the slow band
  { name: "p98 5-50 / budget 0.03", budget: budget03, delays: percentile(0.98, 5) },
  { name: "p98 5-50 / budget 0.10", budget: budget10, delays: percentile(0.98, 5) },
  { name: "p99.9 5-50 / budget 0.03", budget: budget03, delays: percentile(0.999, 5) },
  // the bench's configuration
  { name: "p99.9 5-50 / budget 0.10", budget: budget10, delays: percentile(0.999, 5) },
  // what learning from the losers too (censored at their cut) would give
  { name: "p98 5-50 censored / budget 0.10", budget: budget10, delays: percentile(0.98, 5), censored: true }
]

console.log(
  `Model: ${requests} requests at ${rate}/s (after ${Math.floor(requests * 0.15)} of warm-up), ${seeds} seeds`
)
console.log(
  "policy                              p50   p99  p99.9  extra%  wasted%  slow  rescued  refused(slow/all)  bothSlow  learnt"
)
for (const policy of policies) {
  if (only !== undefined && !only.some((name) => policy.name.startsWith(name))) continue
  for (let seed = 1; seed <= seeds; seed++) {
    const r = simulate(policy, quietClient, seed)
    console.log(
      [
        policy.name.padEnd(34),
        r.p50.toFixed(1).padStart(5),
        r.p99.toFixed(0).padStart(5),
        r.p999.toFixed(0).padStart(6),
        r.extra.toFixed(2).padStart(7),
        r.wasted.toFixed(2).padStart(8),
        String(r.slow).padStart(5),
        String(r.rescued).padStart(8),
        `${r.refusedSlow}/${r.refusedAll}`.padStart(18),
        String(r.bothSlow).padStart(9),
        r.learnt.toFixed(1).padStart(7)
      ].join(" ")
    )
  }
}
