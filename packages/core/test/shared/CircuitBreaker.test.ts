import { CircuitBreaker } from "@aio-request/line/core"
import {
  assert,
  counterCount,
  defectOption,
  describe,
  Duration,
  type DurationInput,
  Effect,
  Exit,
  failureOption,
  Fiber,
  fork,
  forkScoped,
  IllegalArgument,
  it,
  Option,
  Ref,
  repeatN,
  Stream,
  TestClock,
  toDuration,
  yieldNow
} from "@aio-request/line/testkit"

const options: CircuitBreaker.CircuitBreaker.Options = {
  breakDuration: "1 second",
  samplingDuration: "1 second",
  minimumThroughput: 2,
  failureThreshold: 0.5
}

const isFailure = Exit.isFailure

/** A breaker plus a counter of the calls that really ran. */
const setup = (overrides?: Partial<CircuitBreaker.CircuitBreaker.Options>) =>
  Effect.gen(function*() {
    const breaker = yield* CircuitBreaker.make({ ...options, ...overrides })
    const runs = yield* Ref.make(0)
    const ok = (latency: DurationInput = 0) =>
      Effect.andThen(Ref.update(runs, (n) => n + 1), Effect.as(Effect.sleep(latency), "ok"))
    const ko = (latency: DurationInput = 0) =>
      Effect.andThen(Ref.update(runs, (n) => n + 1), Effect.andThen(Effect.sleep(latency), Effect.fail("boom")))
    const call = <A, E>(effect: Effect.Effect<A, E>, scope = "a") =>
      Effect.exit(breaker.execute(scope, effect, isFailure))
    const stateOf = (scope = "a") => Effect.map(breaker.state, (map) => map.get(scope))
    return { breaker, runs, ok, ko, call, stateOf }
  })

const assertOpenError = <A, E>(exit: Exit.Exit<A, E>, scope: string, retryAfter: DurationInput) => {
  assert.isTrue(Exit.isFailure(exit))
  const error = Option.getOrThrow(failureOption((exit as Exit.Failure<A, E>).cause))
  assert.instanceOf(error, CircuitBreaker.CircuitBreakerOpenError)
  const open = error as unknown as CircuitBreaker.CircuitBreakerOpenError
  assert.strictEqual(open._tag, "CircuitBreakerOpenError")
  assert.strictEqual(open.scope, scope)
  assert.isTrue(
    Duration.equals(open.retryAfter, toDuration(retryAfter)),
    `retryAfter ${Duration.format(open.retryAfter)}`
  )
}

describe("CircuitBreaker", () => {
  it.effect("opens when throughput and failure ratio reach their thresholds, then fails fast", () =>
    Effect.gen(function*() {
      const { call, ko, ok, runs, stateOf } = yield* setup()
      yield* call(ok())
      yield* call(ko())
      // 2 outcomes, 1 failure: 50% ≥ 50%
      assert.strictEqual(yield* stateOf(), "open")
      const before = yield* Ref.get(runs)
      assertOpenError(yield* call(ok()), "a", "1 second")
      assert.strictEqual(yield* Ref.get(runs), before, "the effect did not run")
      yield* TestClock.adjust("400 millis")
      assertOpenError(yield* call(ok()), "a", "600 millis")
      assert.strictEqual(yield* Ref.get(runs), before)
    }))

  it.effect("stays closed below minimumThroughput or below failureThreshold", () =>
    Effect.gen(function*() {
      const { call, ko, ok, stateOf } = yield* setup({ minimumThroughput: 3, failureThreshold: 0.6 })
      yield* call(ko())
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "closed", "2 outcomes < 3")
      yield* call(ok())
      yield* call(ok())
      yield* call(ko())
      // 3 failures of 5: 60% ≥ 60%
      assert.strictEqual(yield* stateOf(), "open")
    }))

  it.effect("only a failure opens the circuit (seed, as Polly)", () =>
    Effect.gen(function*() {
      const { call, ko, ok, stateOf } = yield* setup({ minimumThroughput: 2, failureThreshold: 0.5 })
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "closed")
      yield* call(ok())
      assert.strictEqual(yield* stateOf(), "closed", "a success made the throughput, but cannot open")
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "open")
    }))

  it.effect("half-open → closed: a slow probe succeeds; a concurrent call fails fast meanwhile", () =>
    Effect.gen(function*() {
      const { call, ko, ok, runs, stateOf } = yield* setup()
      yield* call(ko())
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "open")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* stateOf(), "open", "open until someone probes")
      const before = yield* Ref.get(runs)
      const probe = yield* fork(call(ok("500 millis")))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* stateOf(), "half-open")
      assert.strictEqual(yield* Ref.get(runs), before + 1, "the probe runs")
      assertOpenError(yield* call(ok()), "a", "1 second")
      assert.strictEqual(yield* Ref.get(runs), before + 1, "the concurrent call did not run")
      yield* TestClock.adjust("400 millis")
      assert.deepStrictEqual(yield* Fiber.join(probe), Exit.succeed("ok"))
      assert.strictEqual(yield* stateOf(), "closed")
      // fresh metrics: one failure alone does not reopen it
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "closed")
      assert.deepStrictEqual(yield* call(ok()), Exit.succeed("ok"))
    }))

  it.effect("half-open → open: the probe fails, and the circuit stays open another breakDuration", () =>
    Effect.gen(function*() {
      const { call, ko, ok, runs, stateOf } = yield* setup()
      yield* call(ko())
      yield* call(ko())
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(
        yield* call(ko("200 millis")).pipe(
          fork,
          Effect.tap(() => TestClock.adjust("200 millis")),
          Effect.flatMap(Fiber.join)
        ),
        Exit.fail("boom")
      )
      assert.strictEqual(yield* stateOf(), "open")
      const before = yield* Ref.get(runs)
      assertOpenError(yield* call(ok()), "a", "1 second")
      yield* TestClock.adjust("999 millis")
      assertOpenError(yield* call(ok()), "a", "1 millis")
      assert.strictEqual(yield* Ref.get(runs), before)
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* call(ok()), Exit.succeed("ok"))
      assert.strictEqual(yield* stateOf(), "closed")
    }))

  it.effect("closed again after a successful probe following breakDuration; still open when the probe fails", () =>
    Effect.gen(function*() {
      const { call, ko, ok, stateOf } = yield* setup()
      for (const scope of ["good", "bad"]) {
        yield* call(ko(), scope)
        yield* call(ko(), scope)
      }
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* call(ok(), "good"), Exit.succeed("ok"))
      assert.deepStrictEqual(yield* call(ko(), "bad"), Exit.fail("boom"))
      assert.strictEqual(yield* stateOf("good"), "closed")
      assert.strictEqual(yield* stateOf("bad"), "open")
    }))

  it.effect("failures that age out of the window do not open it", () =>
    Effect.gen(function*() {
      const { call, ko, stateOf } = yield* setup({ minimumThroughput: 2, samplingDuration: "1 second" })
      yield* call(ko())
      yield* TestClock.adjust("1 second")
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "closed", "the first failure left the window")
      yield* TestClock.adjust("500 millis")
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "open", "two failures within one window")
    }))

  it.effect("old successes that age out let two new failures open it", () =>
    Effect.gen(function*() {
      const { call, ko, ok, stateOf } = yield* setup({ samplingDuration: "1 second" })
      for (let i = 0; i < 3; i++) yield* call(ok(), "young")
      for (let i = 0; i < 3; i++) yield* call(ok(), "old")
      yield* TestClock.adjust("500 millis")
      yield* call(ko(), "young")
      yield* call(ko(), "young")
      assert.strictEqual(yield* stateOf("young"), "closed", "2 failures of 5 within the window")
      yield* TestClock.adjust("600 millis")
      yield* call(ko(), "old")
      yield* call(ko(), "old")
      assert.strictEqual(yield* stateOf("old"), "open", "the 3 successes left the window")
    }))

  it.effect("the window rolls by buckets of samplingDuration / windowsCount", () =>
    Effect.gen(function*() {
      // buckets of 100 ms; the window is the current bucket and the 9 before it
      const { call, ko, stateOf } = yield* setup({ samplingDuration: "1 second", windowsCount: 10 })
      yield* TestClock.adjust("50 millis") // bucket 0
      yield* call(ko())
      yield* TestClock.adjust("999 millis") // 1049: bucket 10, bucket 0 has left
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "closed")
      yield* TestClock.adjust("50 millis") // 1099: bucket 10 still
      yield* call(ko())
      assert.strictEqual(yield* stateOf(), "open")
    }))

  it.effect("1,000 concurrent fibers when the break ends: exactly one runs the effect", () =>
    Effect.gen(function*() {
      const { breaker, call, ko, ok, runs, stateOf } = yield* setup()
      yield* call(ko())
      yield* call(ko())
      yield* TestClock.adjust("1 second")
      const before = yield* Ref.get(runs)
      const fiber = yield* fork(
        Effect.all(Array.from({ length: 1000 }, () => Effect.exit(breaker.execute("a", ok("100 millis"), isFailure))), {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust("100 millis")
      const exits = yield* Fiber.join(fiber)
      assert.strictEqual((yield* Ref.get(runs)) - before, 1)
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
      assert.strictEqual(
        exits.filter((exit) =>
          Exit.isFailure(exit) && Option.isSome(failureOption(exit.cause)) &&
          failureOption(exit.cause).pipe(Option.getOrThrow)._tag === "CircuitBreakerOpenError"
        ).length,
        999
      )
      assert.strictEqual(yield* stateOf(), "closed")
    }))

  it.effect("an interrupted probe does not leave the scope half-open: the next caller probes", () =>
    Effect.gen(function*() {
      const { call, ko, ok, runs, stateOf } = yield* setup()
      yield* call(ko())
      yield* call(ko())
      yield* TestClock.adjust("1 second")
      const probe = yield* fork(call(ok("10 seconds")))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* stateOf(), "half-open")
      yield* Fiber.interrupt(probe)
      assert.strictEqual(yield* stateOf(), "open")
      const before = yield* Ref.get(runs)
      assert.deepStrictEqual(yield* call(ok()), Exit.succeed("ok"))
      assert.strictEqual((yield* Ref.get(runs)) - before, 1, "the next caller probed at once")
      assert.strictEqual(yield* stateOf(), "closed")
    }))

  it.effect("an interrupted call in a closed circuit counts as nothing", () =>
    Effect.gen(function*() {
      const { call, ko, ok, stateOf } = yield* setup()
      yield* call(ko())
      const slow = yield* fork(call(ok("1 second")))
      yield* TestClock.adjust("10 millis")
      yield* Fiber.interrupt(slow)
      assert.strictEqual(yield* stateOf(), "closed", "1 failure of 1 outcome: below minimumThroughput")
    }))

  it.effect("scopes are independent", () =>
    Effect.gen(function*() {
      const { breaker, call, ko, ok, stateOf } = yield* setup()
      yield* call(ko(), "a")
      yield* call(ko(), "a")
      yield* call(ko(), "b")
      assert.strictEqual(yield* stateOf("a"), "open")
      assert.strictEqual(yield* stateOf("b"), "closed")
      // the service reads one scope without copying the others; a scope never seen is closed
      assert.strictEqual(yield* breaker.stateOf("a"), "open")
      assert.strictEqual(yield* breaker.stateOf("b"), "closed")
      assert.strictEqual(yield* breaker.stateOf("never-seen"), "closed")
      assert.deepStrictEqual(yield* call(ok(), "b"), Exit.succeed("ok"))
      assert.deepStrictEqual(yield* call(ok(), "c"), Exit.succeed("ok"))
    }))

  it.effect("isFailure decides which outcomes fail; a defect always counts and is re-raised unchanged", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make(options)
      const never = () => false
      // failures the classifier accepts do not count
      yield* Effect.exit(breaker.execute("typed", Effect.fail("not found"), never))
      yield* Effect.exit(breaker.execute("typed", Effect.fail("not found"), never))
      assert.strictEqual((yield* breaker.state).get("typed"), "closed")
      const defect = new Error("bug")
      const exit = yield* Effect.exit(breaker.execute("defect", Effect.die(defect), never))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(Option.getOrThrow(defectOption((exit as Exit.Failure<never, never>).cause)), defect)
      yield* Effect.exit(breaker.execute("defect", Effect.die(defect), never))
      assert.strictEqual((yield* breaker.state).get("defect"), "open")
      // a classifier that throws counts as a failure too
      const throwing = () => {
        throw new Error("classifier bug")
      }
      assert.deepStrictEqual(
        yield* Effect.exit(breaker.execute("throws", Effect.succeed(1), throwing)),
        Exit.succeed(1)
      )
      yield* Effect.exit(breaker.execute("throws", Effect.succeed(1), throwing))
      assert.strictEqual((yield* breaker.state).get("throws"), "open")
    }))

  it.effect("state changes are published on `changes` and to onStateChange, in order", () =>
    Effect.scoped(Effect.gen(function*() {
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const breaker = yield* CircuitBreaker.make({
        ...options,
        onStateChange: (change) => Ref.update(seen, (all) => [...all, `${change.scope}: ${change.from} → ${change.to}`])
      })
      const streamed = yield* Ref.make<ReadonlyArray<string>>([])
      yield* breaker.changes.pipe(
        Stream.runForEach((change) =>
          Ref.update(streamed, (all) => [...all, `${change.scope}: ${change.from} → ${change.to}`])
        ),
        forkScoped
      )
      yield* repeatN(10)(yieldNow) // let the consumer subscribe
      const fail = Effect.exit(breaker.execute("a", Effect.fail("boom"), isFailure))
      yield* fail
      yield* fail
      yield* TestClock.adjust("1 second")
      yield* fail // probe fails
      yield* TestClock.adjust("1 second")
      yield* Effect.exit(breaker.execute("a", Effect.void, isFailure)) // probe succeeds
      const expected = [
        "a: closed → open",
        "a: open → half-open",
        "a: half-open → open",
        "a: open → half-open",
        "a: half-open → closed"
      ]
      assert.deepStrictEqual(yield* Ref.get(seen), expected)
      yield* yieldNow
      assert.deepStrictEqual(yield* Ref.get(streamed), expected)
    })))

  it.effect("keeps at most maxScopes scopes, evicting idle closed ones before open ones", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ ...options, maxScopes: 100 })
      const fail = (scope: string) => Effect.exit(breaker.execute(scope, Effect.fail("boom"), isFailure))
      yield* fail("open")
      yield* fail("open")
      yield* TestClock.adjust("2 seconds")
      for (let i = 0; i < 10_000; i++) {
        yield* breaker.execute(`scope-${i}`, Effect.void, isFailure)
      }
      const state = yield* breaker.state
      assert.isAtMost(state.size, 100)
      assert.strictEqual(state.get("open"), "open", "an open scope is not evicted while closed ones can be")
      assert.strictEqual(state.get("scope-9999"), "closed")
    }))

  it.effect("a breaker's state is its own", () =>
    Effect.gen(function*() {
      const first = yield* CircuitBreaker.make(options)
      const second = yield* CircuitBreaker.make(options)
      yield* Effect.exit(first.execute("a", Effect.fail(1), isFailure))
      yield* Effect.exit(first.execute("a", Effect.fail(1), isFailure))
      assert.strictEqual((yield* first.state).get("a"), "open")
      assert.strictEqual((yield* second.state).size, 0)
    }))

  it("rejects invalid options with an error naming the option", () => {
    const cases: ReadonlyArray<[string, Partial<CircuitBreaker.CircuitBreaker.Options>]> = [
      ["breakDuration", { breakDuration: 0 }],
      ["breakDuration", { breakDuration: -5 }],
      ["samplingDuration", { samplingDuration: "0 millis" }],
      ["samplingDuration", { samplingDuration: Duration.infinity }],
      ["minimumThroughput", { minimumThroughput: 0 }],
      ["minimumThroughput", { minimumThroughput: 1.5 }],
      ["failureThreshold", { failureThreshold: 0 }],
      ["failureThreshold", { failureThreshold: 1 }],
      ["failureThreshold", { failureThreshold: Number.NaN }],
      ["windowsCount", { windowsCount: 0 }],
      ["maxScopes", { maxScopes: 0 }]
    ]
    for (const [name, override] of cases) {
      assert.throws(
        () => CircuitBreaker.make({ ...options, ...override }),
        new RegExp(`CircuitBreaker\\.make: option "${name}"`)
      )
    }
    assert.throws(() => CircuitBreaker.make({ ...options, failureThreshold: 1 }), IllegalArgument)
  })
})

describe("CircuitBreaker.transitions (the breaker's own metric)", () => {
  const kinds = [
    ["closed", "open"],
    ["open", "half-open"],
    ["half-open", "open"],
    ["half-open", "closed"],
    ["open", "closed"]
  ] as const
  let unique = 0
  /** The counter of each kind for a scope no other test uses (the registry is global to the process). */
  const counts = (scope: string) =>
    Effect.gen(function*() {
      const result: Record<string, number> = {}
      for (const [from, to] of kinds) {
        result[`${from} → ${to}`] = yield* counterCount(CircuitBreaker.transitions, { scope, from, to })
      }
      return result
    })

  it.effect("counts each of the four transitions once, and never open → closed", () =>
    Effect.gen(function*() {
      const scope = `transitions-${unique++}`
      const { call, ko, ok } = yield* setup()
      yield* call(ko(), scope)
      yield* call(ko(), scope) // closed → open
      yield* TestClock.adjust("1 second")
      yield* call(ko(), scope) // open → half-open → open
      yield* TestClock.adjust("1 second")
      yield* call(ok(), scope) // open → half-open → closed
      assert.deepStrictEqual(yield* counts(scope), {
        "closed → open": 1,
        "open → half-open": 2,
        "half-open → open": 1,
        "half-open → closed": 1,
        "open → closed": 0
      })
    }))

  it.effect("an interrupted probe counts half-open → open", () =>
    Effect.gen(function*() {
      const scope = `transitions-${unique++}`
      const { call, ko, ok } = yield* setup()
      yield* call(ko(), scope)
      yield* call(ko(), scope)
      yield* TestClock.adjust("1 second")
      const probe = yield* fork(call(ok("10 seconds"), scope))
      yield* TestClock.adjust("10 millis")
      yield* Fiber.interrupt(probe)
      const after = yield* counts(scope)
      assert.strictEqual(after["open → half-open"], 1)
      assert.strictEqual(after["half-open → open"], 1)
    }))

  it.effect("a breaker shared by two callers counts each transition once", () =>
    Effect.gen(function*() {
      const scope = `transitions-${unique++}`
      const breaker = yield* CircuitBreaker.make({ ...options, minimumThroughput: 4 })
      const seen = yield* Ref.make(0)
      yield* breaker.changes.pipe(Stream.runForEach(() => Ref.update(seen, (n) => n + 1)), fork)
      yield* yieldNow
      // two "clients" on one breaker, failing concurrently
      const client = (latency: DurationInput) =>
        breaker.execute(scope, Effect.andThen(Effect.sleep(latency), Effect.fail("boom")), isFailure).pipe(
          Effect.exit,
          repeatN(3)
        )
      const first = yield* fork(client("10 millis"))
      const second = yield* fork(client("15 millis"))
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      yield* TestClock.adjust("1 second")
      yield* Effect.exit(breaker.execute(scope, Effect.succeed("ok"), isFailure))
      yield* yieldNow
      const after = yield* counts(scope)
      assert.deepStrictEqual(after, {
        "closed → open": 1,
        "open → half-open": 1,
        "half-open → open": 0,
        "half-open → closed": 1,
        "open → closed": 0
      })
      // the counter agrees with the breaker's own change events
      assert.strictEqual(yield* Ref.get(seen), 3)
    }))
})
