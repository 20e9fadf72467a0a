import { Deadline } from "@aio-request/line/core"
import {
  assert,
  catchAll,
  Cause,
  Clock,
  describe,
  Duration,
  type DurationInput,
  Effect,
  Exit,
  Fiber,
  fork,
  it,
  Option,
  TestClock,
  yieldNow
} from "@aio-request/line/testkit"

describe("Deadline", () => {
  it.effect("is an instant on the Clock: TestClock moves it", () =>
    Effect.gen(function*() {
      const deadline = yield* Deadline.fromTimeout("1 second")
      assert.deepStrictEqual(yield* Deadline.remaining(deadline), Duration.seconds(1))
      assert.isFalse(yield* Deadline.isExpired(deadline))
      yield* TestClock.adjust("400 millis")
      assert.deepStrictEqual(yield* Deadline.remaining(deadline), Duration.millis(600))
      yield* TestClock.adjust("600 millis")
      assert.isTrue(yield* Deadline.isExpired(deadline))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Deadline.remaining(deadline), Duration.zero)
    }))

  it.effect("a negative or malformed timeout gives an expired deadline", () =>
    Effect.gen(function*() {
      for (const timeout of [-5, Number.NaN, "-1 seconds" as DurationInput]) {
        const deadline = yield* Deadline.fromTimeout(timeout)
        assert.isTrue(yield* Deadline.isExpired(deadline), String(timeout))
      }
    }))

  it.effect("an infinite timeout never passes", () =>
    Effect.gen(function*() {
      const deadline = yield* Deadline.fromTimeout(Duration.infinity)
      yield* TestClock.adjust("1000 days")
      assert.isFalse(yield* Deadline.isExpired(deadline))
      assert.deepStrictEqual(yield* Deadline.remaining(deadline), Duration.infinity)
    }))

  it.effect("CurrentDeadline is none by default", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Deadline.CurrentDeadline, Option.none())
    }))

  it.effect("within sets CurrentDeadline and fails with DeadlineExceededError at the deadline", () =>
    Effect.gen(function*() {
      let finalized = -1
      const fiber = yield* fork(Effect.exit(
        Effect.gen(function*() {
          const current = yield* Deadline.CurrentDeadline
          assert.isTrue(Option.isSome(current))
          if (Option.isSome(current)) assert.strictEqual(current.value.epochMillis, 500)
          yield* Effect.sleep("10 seconds")
        }).pipe(
          Effect.onInterrupt(() =>
            Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => finalized = now))
          ),
          Deadline.within("500 millis")
        )
      ))
      yield* TestClock.adjust("500 millis")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof Deadline.DeadlineExceededError)
      yield* yieldNow
      assert.strictEqual(finalized, 500)
    }))

  it.effect("within never raises an inherited deadline", () =>
    Effect.gen(function*() {
      const inner = yield* Deadline.CurrentDeadline.pipe(Deadline.within("10 seconds"), Deadline.within("1 second"))
      assert.isTrue(Option.isSome(inner))
      if (Option.isSome(inner)) assert.strictEqual(inner.value.epochMillis, 1000)
      const tighter = yield* Deadline.CurrentDeadline.pipe(Deadline.within("100 millis"), Deadline.within("1 second"))
      if (Option.isSome(tighter)) assert.strictEqual(tighter.value.epochMillis, 100)
    }))

  it.effect("within returns the value when the effect finishes in time", () =>
    Effect.gen(function*() {
      const fiber = yield* fork(Effect.succeed(42).pipe(Effect.delay("100 millis"), Deadline.within("1 second")))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* Fiber.join(fiber), 42)
    }))

  it.effect("splitBetweenAttempts: all of the rest once k − i ≤ 1", () =>
    Effect.gen(function*() {
      const deadline = yield* Deadline.fromTimeout("900 millis")
      const split = Deadline.splitBetweenAttempts()
      const at = (attempt: number, attempts: number) =>
        Effect.map(split({ deadline, attempt, attempts }), (d) => d.epochMillis)
      assert.strictEqual(yield* at(0, 3), 300)
      assert.strictEqual(yield* at(1, 3), 450)
      assert.strictEqual(yield* at(2, 3), 900)
      assert.strictEqual(yield* at(0, 1), 900)
      const two = Deadline.splitBetweenAttempts({ attemptsToSplit: 2 })
      assert.strictEqual((yield* two({ deadline, attempt: 0, attempts: 5 })).epochMillis, 450)
      assert.strictEqual((yield* two({ deadline, attempt: 1, attempts: 5 })).epochMillis, 900)
      assert.strictEqual((yield* Deadline.passThrough({ deadline, attempt: 0, attempts: 3 })).epochMillis, 900)
    }))

  it("min takes the earlier deadline", () => {
    const a = Deadline.unsafeMake(100)
    const b = Deadline.unsafeMake(200)
    assert.strictEqual(Deadline.min(a, b), a)
    assert.strictEqual(Deadline.min(b, a), a)
    assert.strictEqual(b.pipe(Deadline.min(a)), a)
  })
})

describe("deadlines share one timer per Clock", () => {
  it.effect("deadlines registered out of order each fire at their own instant", () =>
    Effect.gen(function*() {
      const fired: Array<string> = []
      const cut = (name: string, timeout: DurationInput) =>
        Effect.never.pipe(
          Deadline.within(timeout),
          catchAll(() => Clock.currentTimeMillis.pipe(Effect.map((now) => fired.push(`${name} @${now}`)))),
          fork
        )
      const fibers = [
        yield* cut("c", "300 millis"),
        yield* cut("a", "100 millis"),
        yield* cut("b", "200 millis"),
        yield* cut("d", "250 millis")
      ]
      yield* TestClock.adjust("150 millis")
      assert.deepStrictEqual(fired, ["a @100"])
      yield* TestClock.adjust("1 second")
      for (const fiber of fibers) yield* Fiber.join(fiber)
      assert.deepStrictEqual(fired, ["a @100", "b @200", "d @250", "c @300"])
    }))

  it.effect("a finished cut leaves nothing to fire", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all([
        Deadline.within(Effect.succeed(1), "100 millis"),
        Deadline.within(Effect.succeed(2), "50 millis")
      ])
      assert.deepStrictEqual(results, [1, 2])
      const late = yield* fork(Deadline.within(Effect.sleep("10 millis"), "1 second"))
      yield* TestClock.adjust("2 seconds")
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(late)))
    }))

  it.live("on the live clock, the cut comes at the deadline, not when the work ends", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(Deadline.within(Effect.sleep("2 seconds"), "50 millis"))
      const elapsed = (yield* Clock.currentTimeMillis) - start
      assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof Deadline.DeadlineExceededError)
      assert.isBelow(elapsed, 1500)
      assert.isAtLeast(elapsed, 45)
    }))
})
