/**
 * The shared timer behind `Deadline.unsafeOnExpiry` on Effect 4: the counterpart of
 * packages/core/test/Timer.test.ts, whose helpers read Effect 3's runtime (`withFiberRuntime`,
 * `TestClock.sleeps`, schedulers).
 */
import { Deadline } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"

/** Runs the tasks the timer's fiber scheduled so far (it starts on the scheduler, not at once). */
const settle = Effect.repeat(Effect.yieldNow, { times: 3 })

/** Calls `fire` at `at` (clock milliseconds), through the shared timer of the current fiber's clock. */
const onExpiry = (at: number, fire: () => void) =>
  Effect.withFiber<() => void>((fiber) => Effect.succeed(Deadline.unsafeOnExpiry(Deadline.unsafeMake(at), fiber, fire)))

describe("Deadline.unsafeOnExpiry: the shared timer (Effect 4)", () => {
  it.effect("fires each entry at its own instant, whatever the order they arrive in", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const clock = yield* Clock.Clock
      const when = (name: string, millis: number) =>
        onExpiry(millis, () => fired.push(`${name} @${clock.currentTimeMillisUnsafe()}`))
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

  it.effect("a deadline that never passes fires never; a passed one fires at once", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      yield* Effect.withFiber((fiber) =>
        Effect.sync(() => Deadline.unsafeOnExpiry(Deadline.unsafeMake(Infinity), fiber, () => fired.push("never")))
      )
      const now = yield* Clock.currentTimeMillis
      yield* onExpiry(now - 10, () => fired.push("passed"))
      yield* settle
      assert.deepStrictEqual(fired, ["passed"])
      yield* TestClock.adjust("1000 days")
      assert.deepStrictEqual(fired, ["passed"])
    }))

  it.effect("interrupting a fiber at its deadline, without a fork of its own", () =>
    Effect.gen(function*() {
      const cutInPlace = <A, E, R>(self: Effect.Effect<A, E, R>, deadline: Deadline.Deadline) =>
        Effect.withFiber<A, E, R>((fiber) => {
          const cancel = Deadline.unsafeOnExpiry(deadline, fiber, () => fiber.interruptUnsafe())
          return Effect.ensuring(self, Effect.sync(cancel))
        })
      const deadline = yield* Deadline.fromTimeout("100 millis")
      const slow = yield* Effect.forkChild(cutInPlace(Effect.sleep("1 second"), deadline))
      const fast = yield* Effect.forkChild(cutInPlace(Effect.as(Effect.sleep("50 millis"), 1), deadline))
      yield* settle
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(yield* Fiber.await(fast), Exit.succeed(1))
      assert.isTrue(Exit.hasInterrupts(yield* Fiber.await(slow)))
    }))
})
