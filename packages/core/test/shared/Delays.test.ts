/**
 * `Delays` on both lines: constant, linear (with and without jitter), exponential, fromSchedule
 * and percentile, under TestClock and a seeded Random.
 */
import { Delays } from "@aio-request/line/core"
import {
  assert,
  describe,
  Duration,
  Effect,
  it,
  Random,
  Schedule,
  TestClock,
  upTo,
  withSeed
} from "@aio-request/line/testkit"

const millis = (effect: Effect.Effect<Duration.Duration>) => Effect.map(effect, Duration.toMillis)

describe("Delays", () => {
  it.effect("constant", () =>
    Effect.gen(function*() {
      const delays = Delays.constant("70 millis")
      assert.strictEqual(yield* millis(delays.delay(1, "k")), 70)
      assert.strictEqual(yield* millis(delays.delay(5, "k")), 70)
    }))

  it.effect("linear without jitter is min + n·multiplier", () =>
    Effect.gen(function*() {
      const delays = Delays.linear({ min: "100 millis", multiplier: "50 millis", jitter: 0 })
      assert.deepStrictEqual(
        [yield* millis(delays.delay(1, "k")), yield* millis(delays.delay(2, "k")), yield* millis(delays.delay(3, "k"))],
        [150, 200, 250]
      )
    }))

  it.effect("linear stays within its jitter bounds, on both sides", () =>
    Effect.gen(function*() {
      const delays = Delays.linear({ min: 0, multiplier: "100 millis", jitter: 0.2 })
      let below = 0
      let above = 0
      for (let i = 0; i < 2000; i++) {
        const d = yield* millis(delays.delay(2, "k"))
        assert.isAtLeast(d, 160)
        assert.isAtMost(d, 240)
        if (d < 200) below++
        if (d > 200) above++
      }
      assert.isAbove(below, 800)
      assert.isAbove(above, 800)
    }).pipe(withSeed("seed")))

  it.effect("exponential doubles up to max", () =>
    Effect.gen(function*() {
      const delays = Delays.exponential({ base: "100 millis", max: "500 millis", jitter: 0 })
      const seen: Array<number> = []
      for (let n = 1; n <= 5; n++) seen.push(yield* millis(delays.delay(n, "k")))
      assert.deepStrictEqual(seen, [100, 200, 400, 500, 500])
    }))

  it.effect("fromSchedule follows the schedule's delays, then infinity once it is done", () =>
    Effect.gen(function*() {
      const delays = Delays.fromSchedule(upTo(Schedule.exponential("100 millis"), 3))
      const seen: Array<number> = []
      for (let n = 1; n <= 4; n++) seen.push(yield* millis(delays.delay(n, "k")))
      assert.deepStrictEqual(seen, [100, 200, 400, Infinity])
      const spaced = Delays.fromSchedule(Schedule.spaced("30 millis"))
      assert.strictEqual(yield* millis(spaced.delay(7, "k")), 30)
    }))

  it.effect("percentile: min while there is no data, then clamp(pN, min, max)·n", () =>
    Effect.gen(function*() {
      const delays = yield* Delays.percentile({ min: "20 millis", max: "1 second" })
      assert.strictEqual(yield* millis(delays.delay(1, "GET /a")), 20)
      for (let i = 1; i <= 100; i++) yield* delays.observe!("GET /a", Duration.millis(i * 10))
      const p95 = yield* millis(delays.delay(1, "GET /a"))
      assert.approximately(p95, 950, 950 * 0.03)
      assert.approximately(yield* millis(delays.delay(2, "GET /a")), 2 * p95, 1e-9)
      // keys are independent
      assert.strictEqual(yield* millis(delays.delay(1, "GET /b")), 20)
      // clamped to max
      for (let i = 0; i < 1000; i++) yield* delays.observe!("GET /slow", Duration.seconds(30))
      assert.strictEqual(yield* millis(delays.delay(1, "GET /slow")), 1000)
    }))

  it.effect("percentile converges on the observed p95 and forgets data older than its window", () =>
    Effect.gen(function*() {
      const delays = yield* Delays.percentile({ window: "1 minute", buckets: 2, min: 0 })
      // a long-tail distribution: exponential latencies with mean 100 ms; p95 = 100·ln(20) ≈ 299.6 ms
      for (let i = 0; i < 20_000; i++) {
        const u = yield* Random.next
        yield* delays.observe!("k", Duration.millis(-100 * Math.log(1 - u)))
      }
      const p95 = yield* millis(delays.delay(1, "k"))
      assert.approximately(p95, 100 * Math.log(20), 100 * Math.log(20) * 0.05)
      // a minute later, only new data counts
      yield* TestClock.adjust("61 seconds")
      for (let i = 0; i < 100; i++) yield* delays.observe!("k", Duration.millis(5))
      assert.approximately(yield* millis(delays.delay(1, "k")), 5, 0.2)
    }).pipe(withSeed(42)))

  it.effect("percentile memory stays bounded over 1 M observations and many keys", () =>
    Effect.gen(function*() {
      const delays = yield* Delays.percentile({ maxKeys: 100 })
      const before = process.memoryUsage().heapUsed
      for (let i = 0; i < 1_000_000; i++) {
        yield* delays.observe!(`key-${i % 5000}`, Duration.millis(i % 997))
      }
      const after = process.memoryUsage().heapUsed
      // 100 keys × 2 buckets × ~600 counters × 4 bytes ≈ 0.5 MB; allow GC noise
      assert.isBelow(after - before, 64 * 1024 * 1024)
    }), { timeout: 120_000 })

  it.effect("percentile evicts the least recently observed key once maxKeys are kept", () =>
    Effect.gen(function*() {
      const delays = yield* Delays.percentile({ maxKeys: 2, min: "10 millis" })
      for (const key of ["a", "b"]) yield* delays.observe!(key, Duration.millis(400))
      yield* TestClock.adjust("1 second")
      yield* delays.observe!("a", Duration.millis(400))
      yield* delays.observe!("c", Duration.millis(400))
      assert.isAbove(yield* millis(delays.delay(1, "a")), 300)
      assert.isAbove(yield* millis(delays.delay(1, "c")), 300)
      assert.strictEqual(yield* millis(delays.delay(1, "b")), 10)
    }))

  it("bad options are refused at construction, naming the option", () => {
    assert.throws(() => Delays.constant(-1), /Delays.constant: option "delay"/)
    assert.throws(() => Delays.linear({ jitter: 1.5 }), /Delays.linear: option "jitter"/)
    assert.throws(() => Delays.linear({ jitter: -0.1 }), /jitter/)
    assert.throws(() => Delays.linear({ min: Number.NaN }), /option "min"/)
    assert.throws(() => Delays.linear({ multiplier: Infinity }), /option "multiplier"/)
    assert.throws(() => Delays.exponential({ base: "1 second", max: "1 millis" }), /option "base"/)
    assert.throws(() => Delays.exponential({ base: "1 second", factor: 0.5 }), /option "factor"/)
    assert.throws(() => Effect.runSync(Delays.percentile({ percentile: 1 })), /option "percentile"/)
    assert.throws(() => Effect.runSync(Delays.percentile({ percentile: 0 })), /option "percentile"/)
    assert.throws(() => Effect.runSync(Delays.percentile({ min: "2 seconds", max: "1 second" })), /option "min"/)
    assert.throws(() => Effect.runSync(Delays.percentile({ buckets: 0 })), /option "buckets"/)
  })
})
