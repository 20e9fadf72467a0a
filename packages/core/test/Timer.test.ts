/**
 * The shared timer behind `Deadline.unsafeOnExpiry`: what only Effect 3's runtime shows. The
 * timer fiber's pending sleeps are read through `TestClock.sleeps`, which Effect 4's TestClock
 * does not have; its wake-ups are tasks of its scheduler, where Effect 4 resumes a woken
 * sleeper inline (no task). The rest runs on both lines in test/shared/Timer.test.ts.
 */
import { Deadline } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Scheduler, TestClock } from "effect"

/** Runs the tasks the timer's fiber scheduled so far (it starts on the scheduler, not at once). */
const settle = Effect.repeatN(Effect.yieldNow(), 3)

/** Calls `fire` at `at` (clock milliseconds), through the shared timer of the current fiber's clock. */
const onExpiry = (at: number, fire: () => void) =>
  Effect.withFiberRuntime<() => void>((fiber) =>
    Effect.succeed(Deadline.unsafeOnExpiry(Deadline.unsafeMake(at), fiber, fire))
  )

const sleepsAhead = Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  return Chunk.toReadonlyArray(yield* TestClock.sleeps()).map((instant) => instant - now)
})

describe("Deadline.unsafeOnExpiry: the shared timer (Effect 3 runtime)", () => {
  it.effect("the timer's fiber sleeps at most a second at a time and ends at the first wake-up with nothing pending", () =>
    Effect.gen(function*() {
      const fired: Array<number> = []
      const clock = yield* Effect.clock
      yield* onExpiry(60_000, () => fired.push(clock.unsafeCurrentTimeMillis()))
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [1000])
      yield* TestClock.adjust("59500 millis")
      assert.deepStrictEqual(fired, [])
      assert.deepStrictEqual(yield* sleepsAhead, [500])
      yield* TestClock.adjust("500 millis")
      assert.deepStrictEqual(fired, [60_000])
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [], "nothing pending: the fiber ended")

      // cancelled before it fires: the fiber is not stopped at once, it ends
      // at its next wake-up, at most a second later
      const cancel = yield* onExpiry(90_000, () => fired.push(-1))
      yield* settle
      cancel()
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [1000])
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [])
      assert.deepStrictEqual(fired, [60_000])
    }))

  it.effect("an entry cancelled before the timer's fiber first ran: the fiber still sleeps to its planned wake-up", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      // a call that ends within the tick it began in (most server requests):
      // its entry is gone before the fiber started for it runs
      const cancel = yield* onExpiry(60_000, () => fired.push("cancelled"))
      cancel()
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [1000], "the fiber sleeps to the wake-up it was started for")
      // the next entries find it sleeping and start no fiber of their own
      yield* TestClock.adjust("400 millis")
      yield* onExpiry(70_000, () => fired.push("later"))
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [600])
      yield* TestClock.adjust("70 seconds")
      yield* settle
      assert.deepStrictEqual(fired, ["later"])
      assert.deepStrictEqual(yield* sleepsAhead, [], "nothing pending: the fiber ended")
    }))

  it.effect("a fiber on another scheduler gets a timer whose fiber runs on that scheduler", () =>
    Effect.gen(function*() {
      let tasks = 0
      const counting: Scheduler.Scheduler = {
        scheduleTask: (task, priority) => {
          tasks++
          Scheduler.defaultScheduler.scheduleTask(task, priority)
        },
        shouldYield: (fiber) => Scheduler.defaultScheduler.shouldYield(fiber)
      }
      const fired: Array<string> = []
      yield* onExpiry(500, () => fired.push("default"))
      yield* Effect.withScheduler(onExpiry(300, () => fired.push("counting")), counting)
      yield* settle
      const before = tasks
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(fired, ["counting", "default"])
      assert.isAbove(tasks, before, "the counting scheduler's timer woke on that scheduler")
    }))
})
