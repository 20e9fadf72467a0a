/**
 * `Delays` on Effect 4: the counterpart of packages/core/test/Delays.test.ts, whose seeded
 * `Random` and `Schedule` combinators are Effect 3's.
 */
import { Delays } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"

const millis = (effect: Effect.Effect<Duration.Duration>) => Effect.map(effect, Duration.toMillis)

describe("Delays (Effect 4)", () => {
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
    }))

  it.effect("fromSchedule follows the schedule's delays, then infinity once it is done", () =>
    Effect.gen(function*() {
      const delays = Delays.fromSchedule(Schedule.max([Schedule.exponential("100 millis"), Schedule.recurs(3)]))
      const seen: Array<number> = []
      for (let n = 1; n <= 4; n++) seen.push(yield* millis(delays.delay(n, "k")))
      assert.deepStrictEqual(seen, [100, 200, 400, Infinity])
      const spaced = Delays.fromSchedule(Schedule.spaced("30 millis"))
      assert.strictEqual(yield* millis(spaced.delay(7, "k")), 30)
    }))
})
