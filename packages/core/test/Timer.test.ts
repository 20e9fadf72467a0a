import { Deadline } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Exit, Fiber, FiberId, Scheduler, TestClock } from "effect"

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

describe("Deadline.unsafeOnExpiry: the shared timer", () => {
  it.effect("fires each entry at its own instant, whatever the order they arrive in", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const clock = yield* Effect.clock
      const when = (name: string, millis: number) =>
        onExpiry(millis, () => fired.push(`${name} @${clock.unsafeCurrentTimeMillis()}`))
      yield* when("c", 3000)
      yield* when("a", 100)
      yield* when("b", 2500)
      yield* when("d", 2500)
      yield* settle
      yield* TestClock.adjust("150 millis")
      assert.deepStrictEqual(fired, ["a @100"])
      yield* when("e", 200) // earlier than the sleeper's wake-up: it is replaced
      yield* settle
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(fired, ["a @100", "e @200", "b @2500", "d @2500", "c @3000"])
    }))

  it.effect("a cancelled entry never fires; cancelling after it fired, or twice, does nothing", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const cancelA = yield* onExpiry(100, () => fired.push("a"))
      const cancelB = yield* onExpiry(200, () => fired.push("b"))
      cancelA()
      cancelA()
      yield* settle
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(fired, ["b"])
      cancelB()
      cancelB()
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(fired, ["b"])
    }))

  it.effect("a deadline that never passes schedules nothing; a passed one fires at once", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      yield* Effect.withFiberRuntime((runtime) =>
        Effect.sync(() => Deadline.unsafeOnExpiry(Deadline.unsafeMake(Infinity), runtime, () => fired.push("never")))
      )
      yield* settle
      assert.deepStrictEqual(yield* sleepsAhead, [])
      const now = yield* Clock.currentTimeMillis
      yield* onExpiry(now - 10, () => fired.push("passed"))
      yield* settle
      assert.deepStrictEqual(fired, ["passed"])
      yield* TestClock.adjust("1000 days")
      assert.deepStrictEqual(fired, ["passed"])
    }))

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

  it.effect("an entry scheduled by a firing entry, already due, fires once", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const fiber = yield* Effect.withFiberRuntime<Fiber.RuntimeFiber<unknown, unknown>>((f) => Effect.succeed(f))
      const clock = yield* Effect.clock
      yield* onExpiry(100, () => {
        fired.push("first")
        Deadline.unsafeOnExpiry(Deadline.unsafeMake(clock.unsafeCurrentTimeMillis()), fiber, () => fired.push("second"))
      })
      yield* settle
      yield* TestClock.adjust("100 millis")
      yield* settle
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(fired, ["first", "second"])
    }))

  it.effect("interrupts a fiber in place at its deadline, without a fork", () =>
    Effect.gen(function*() {
      const cutInPlace = <A, E, R>(self: Effect.Effect<A, E, R>, deadline: Deadline.Deadline) =>
        Effect.withFiberRuntime<A, E, R>((fiber) => {
          const cancel = Deadline.unsafeOnExpiry(deadline, fiber, () => fiber.unsafeInterruptAsFork(FiberId.none))
          return Effect.ensuring(self, Effect.sync(cancel))
        })
      const slow = yield* Effect.fork(cutInPlace(Effect.never, yield* Deadline.fromTimeout("100 millis")))
      const fast = yield* Effect.fork(cutInPlace(Effect.succeed(1), yield* Deadline.fromTimeout("100 millis")))
      yield* TestClock.adjust("99 millis")
      assert.isNull(slow.unsafePoll())
      yield* TestClock.adjust("1 millis")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.await(slow)))
      assert.deepStrictEqual(yield* Fiber.await(fast), Exit.succeed(1))
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
