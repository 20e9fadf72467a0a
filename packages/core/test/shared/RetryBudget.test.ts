import { Deadline, Delays, RetryBudget, Strategy } from "@aio-request/line/core"
import {
  assert,
  describe,
  Duration,
  type DurationInput,
  Effect,
  Exit,
  Fiber,
  fork,
  IllegalArgument,
  it,
  Option,
  poll,
  Ref,
  TestClock
} from "@aio-request/line/testkit"

/** Counts the first and the extra attempts of every run; every attempt fails after `latency`. */
const counters = Effect.gen(function*() {
  const first = yield* Ref.make(0)
  const extra = yield* Ref.make(0)
  const failing = (latency: DurationInput) => ({ attempt }: Strategy.AttemptContext) =>
    Effect.andThen(
      Ref.update(attempt === 0 ? first : extra, (n) => n + 1),
      Effect.andThen(Effect.sleep(latency), Effect.fail(`attempt ${attempt} failed`))
    )
  return { first, extra, failing }
})

const request = <A, E>(
  strategy: Strategy.Strategy,
  attempt: (ctx: Strategy.AttemptContext) => Effect.Effect<A, E>,
  timeout: DurationInput = "1 second"
) =>
  Effect.flatMap(Deadline.fromTimeout(timeout), (deadline) =>
    Effect.exit(Strategy.run(strategy, {
      attempt,
      classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
      deadline
    })))

/** Runs `effect` in a fiber while the test clock moves on by `by`. */
const adjusting = <A, E>(effect: Effect.Effect<A, E>, by: DurationInput = "200 millis") =>
  Effect.gen(function*() {
    const fiber = yield* fork(effect)
    yield* TestClock.adjust(by)
    return yield* Effect.flatten(Fiber.await(fiber))
  })

const constant = (delay: DurationInput) => Delays.constant(delay)

/** `waves` waves of `size` concurrent requests, one wave every `every` millis. */
const storm = <A, E>(
  waves: number,
  size: number,
  every: number,
  strategy: Strategy.Strategy,
  attempt: (ctx: Strategy.AttemptContext) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const fiber = yield* fork(
      Effect.all(
        Array.from(
          { length: waves * size },
          (_, i) => Effect.andThen(Effect.sleep(Math.floor(i / size) * every), request(strategy, attempt))
        ),
        { concurrency: "unbounded", discard: true }
      )
    )
    yield* TestClock.adjust(waves * every + 2_000)
    yield* Fiber.await(fiber)
  })

describe("RetryBudget", () => {
  it.effect("under a 100% failure storm, sequential retries stay within ratio × first attempts + minPerSecond × ttl", () =>
    Effect.gen(function*() {
      const { extra, failing, first } = yield* counters
      // 100 requests in 5 waves over 2.5 seconds, inside one 10-second ttl; 2 retries each without a budget
      yield* storm(
        5,
        20,
        500,
        Strategy.sequential({ attempts: 3, delays: constant("20 millis") }),
        failing("5 millis")
      )
      const firsts = yield* Ref.get(first)
      const extras = yield* Ref.get(extra)
      assert.strictEqual(firsts, 100)
      const bound = 0.2 * 100 + 2 * 10
      assert.isAtMost(extras, bound)
      assert.isAtLeast(extras, bound - 2, "the budget is spent, not merely refused")
    }).pipe(Effect.provide(RetryBudget.layer({ ratio: 0.2, minPerSecond: 2, ttl: "10 seconds" }))))

  it.effect("under a 100% failure storm, parallel hedges stay within the same bound", () =>
    Effect.gen(function*() {
      const { extra, failing, first } = yield* counters
      // 100 requests in 5 waves over 2.5 seconds, inside one 10-second ttl; 2 hedges each without a budget
      yield* storm(
        5,
        20,
        500,
        Strategy.parallel({ attempts: 3, delays: constant("20 millis") }),
        failing("50 millis")
      )
      assert.strictEqual(yield* Ref.get(first), 100)
      const extras = yield* Ref.get(extra)
      const bound = 0.5 * 100 + 1 * 10
      assert.isAtMost(extras, bound)
      assert.isAtLeast(extras, bound - 2, "the budget is spent, not merely refused")
    }).pipe(Effect.provide(RetryBudget.layer({ ratio: 0.5, minPerSecond: 1, ttl: "10 seconds" }))))

  it.effect("one budget provided once governs every strategy below it", () =>
    Effect.gen(function*() {
      const { extra, failing } = yield* counters
      // a reserve of 2 extra attempts, no ratio
      yield* adjusting(
        request(Strategy.sequential({ attempts: 3, delays: constant("0 millis") }), failing("1 millis"))
      )
      assert.strictEqual(yield* Ref.get(extra), 2)
      const hedged = yield* adjusting(
        request(Strategy.parallel({ attempts: 3, delays: constant("10 millis") }), failing("100 millis"))
      )
      assert.deepStrictEqual(hedged, Exit.fail("attempt 0 failed"))
      assert.strictEqual(yield* Ref.get(extra), 2, "the parallel strategy sent no hedge")
      const retried = yield* adjusting(
        request(
          Strategy.single.pipe(Strategy.retryUntilDeadline({ delays: constant("10 millis") })),
          failing("1 millis")
        )
      )
      assert.deepStrictEqual(retried, Exit.fail("attempt 0 failed"))
      assert.strictEqual(yield* Ref.get(extra), 2, "retryUntilDeadline stopped after its first round")
    }).pipe(Effect.provide(RetryBudget.layer({ ratio: 0, minPerSecond: 1, ttl: "2 seconds" }))))

  it.effect("with the budget empty, a sequential strategy sends exactly one attempt", () =>
    Effect.gen(function*() {
      const { extra, failing, first } = yield* counters
      for (let i = 0; i < 20; i++) {
        const exit = yield* request(
          Strategy.sequential({ attempts: 5, delays: constant("0 millis") }),
          failing("0 millis")
        )
        assert.deepStrictEqual(exit, Exit.fail("attempt 0 failed"))
      }
      assert.strictEqual(yield* Ref.get(first), 20)
      assert.strictEqual(yield* Ref.get(extra), 0)
    }).pipe(Effect.provide(RetryBudget.layer({ ratio: 0, minPerSecond: 0 }))))

  it.effect("with the budget empty, a sequential strategy answers with its first outcome at once, without the wait", () =>
    Effect.gen(function*() {
      const { failing } = yield* counters
      const fiber = yield* fork(
        request(Strategy.sequential({ attempts: 3, delays: constant("500 millis") }), failing("10 millis"))
      )
      yield* TestClock.adjust("10 millis")
      const exit = yield* poll(fiber)
      assert.deepStrictEqual(exit, Option.some(Exit.succeed(Exit.fail("attempt 0 failed"))))
    }).pipe(Effect.provide(RetryBudget.layer({ ratio: 0, minPerSecond: 0 }))))

  it.effect("deposits and withdrawals age out after ttl", () =>
    Effect.gen(function*() {
      const budget = yield* RetryBudget.make({ ratio: 0.5, minPerSecond: 0, ttl: "1 second" })
      yield* budget.deposit
      yield* budget.deposit
      assert.isTrue(yield* budget.tryWithdraw)
      assert.isFalse(yield* budget.tryWithdraw)
      yield* TestClock.adjust("1 second")
      // the two deposits have left the window, and so has the withdrawal
      assert.isFalse(yield* budget.tryWithdraw)
      yield* budget.deposit
      yield* budget.deposit
      assert.isTrue(yield* budget.tryWithdraw)
    }))

  it.effect("minPerSecond × ttl extra attempts are allowed with no traffic, and come back after ttl", () =>
    Effect.gen(function*() {
      const budget = yield* RetryBudget.make({ ratio: 0, minPerSecond: 3, ttl: "2 seconds" })
      const take = Effect.all(Array.from({ length: 8 }, () => budget.tryWithdraw))
      assert.strictEqual((yield* take).filter(Boolean).length, 6)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* take).filter(Boolean).length, 0)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* take).filter(Boolean).length, 6)
    }))

  it.effect("the default is unlimited", () =>
    Effect.gen(function*() {
      const budget = yield* RetryBudget.RetryBudget
      assert.strictEqual(budget, RetryBudget.unlimited)
      const { extra, failing } = yield* counters
      yield* request(Strategy.sequential({ attempts: 4, delays: constant("0 millis") }), failing("0 millis"))
      assert.strictEqual(yield* Ref.get(extra), 3)
    }))

  it("rejects invalid options with an error naming the option", () => {
    const cases: ReadonlyArray<[string, RetryBudget.RetryBudget.Options]> = [
      ["ratio", { ratio: -0.1 }],
      ["ratio", { ratio: Number.NaN }],
      ["ratio", { ratio: Number.POSITIVE_INFINITY }],
      ["minPerSecond", { minPerSecond: -1 }],
      ["ttl", { ttl: 0 }],
      ["ttl", { ttl: "-1 seconds" }],
      ["ttl", { ttl: Duration.infinity }]
    ]
    for (const [name, options] of cases) {
      assert.throws(() => RetryBudget.make(options), new RegExp(`RetryBudget\\.make: option "${name}"`))
      assert.throws(() => RetryBudget.layer(options), IllegalArgument)
    }
  })
})
