/**
 * The shared timer behind `Deadline.unsafeOnExpiry`, on both lines: order, cancellation, a
 * deadline never or already passed, re-entry, interrupting a fiber in place, a timer per
 * scheduler. What only Effect 3's runtime shows stays in packages/core/test/Timer.test.ts: the
 * timer fiber's pending sleeps (`TestClock.sleeps`; Effect 4's TestClock lists none) and its
 * wake-ups as tasks of its scheduler (Effect 4 resumes a woken sleeper inline).
 */
import { Deadline } from "@aio-request/line/core"
import {
  assert,
  Clock,
  clockReader,
  countingScheduler,
  describe,
  Effect,
  Exit,
  Fiber,
  fork,
  interruptUnsafe,
  isInterrupted,
  it,
  poll,
  repeatN,
  sleepsAhead,
  TestClock,
  withFiber,
  yieldNow
} from "@aio-request/line/testkit"

/** Runs the tasks the timer's fiber scheduled so far (it starts on the scheduler, not at once). */
const settle = repeatN(3)(yieldNow)

/** Calls `fire` at `at` (clock milliseconds), through the shared timer of the current fiber's clock. */
const onExpiry = (at: number, fire: () => void) =>
  withFiber<() => void, never, never>((fiber) =>
    Effect.succeed(Deadline.unsafeOnExpiry(Deadline.unsafeMake(at), fiber, fire))
  )

describe("Deadline.unsafeOnExpiry: the shared timer", () => {
  it.effect("fires each entry at its own instant, whatever the order they arrive in", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const now = yield* clockReader
      const when = (name: string, millis: number) => onExpiry(millis, () => fired.push(`${name} @${now()}`))
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
      yield* withFiber((fiber) =>
        Effect.sync(() => Deadline.unsafeOnExpiry(Deadline.unsafeMake(Infinity), fiber, () => fired.push("never")))
      )
      yield* settle
      // the line's TestClock lists its pending sleeps (Effect 3): none
      if (sleepsAhead !== undefined) assert.deepStrictEqual(yield* sleepsAhead, [])
      const now = yield* Clock.currentTimeMillis
      yield* onExpiry(now - 10, () => fired.push("passed"))
      yield* settle
      assert.deepStrictEqual(fired, ["passed"])
      yield* TestClock.adjust("1000 days")
      assert.deepStrictEqual(fired, ["passed"])
    }))

  it.effect("an entry scheduled by a firing entry, already due, fires once", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const fiber = yield* withFiber((f) => Effect.succeed(f))
      const now = yield* clockReader
      yield* onExpiry(100, () => {
        fired.push("first")
        Deadline.unsafeOnExpiry(Deadline.unsafeMake(now()), fiber, () => fired.push("second"))
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
        withFiber<A, E, R>((fiber) => {
          const cancel = Deadline.unsafeOnExpiry(deadline, fiber, () => interruptUnsafe(fiber))
          return Effect.ensuring(self, Effect.sync(cancel))
        })
      const slow = yield* fork(cutInPlace(Effect.never, yield* Deadline.fromTimeout("100 millis")))
      const fast = yield* fork(cutInPlace(Effect.succeed(1), yield* Deadline.fromTimeout("100 millis")))
      // one deadline shared by a 1 s sleep and a 50 ms one
      const deadline = yield* Deadline.fromTimeout("100 millis")
      const sleeping = yield* fork(cutInPlace(Effect.sleep("1 second"), deadline))
      const quick = yield* fork(cutInPlace(Effect.as(Effect.sleep("50 millis"), 1), deadline))
      yield* TestClock.adjust("99 millis")
      assert.isTrue((yield* poll(slow))._tag === "None")
      yield* TestClock.adjust("1 millis")
      assert.isTrue(isInterrupted(yield* Fiber.await(slow)))
      assert.deepStrictEqual(yield* Fiber.await(fast), Exit.succeed(1))
      assert.deepStrictEqual(yield* Fiber.await(quick), Exit.succeed(1))
      assert.isTrue(isInterrupted(yield* Fiber.await(sleeping)))
    }))

  it.effect("a fiber on another scheduler gets a timer whose fiber starts on that scheduler", () =>
    Effect.gen(function*() {
      const counting = countingScheduler()
      const fired: Array<string> = []
      yield* onExpiry(500, () => fired.push("default"))
      yield* settle
      assert.strictEqual(counting.tasks(), 0)
      yield* counting.run(onExpiry(300, () => fired.push("counting")))
      yield* settle
      assert.isAbove(counting.tasks(), 0, "the counting scheduler's timer started on that scheduler")
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(fired, ["counting", "default"])
    }))
})
