import type { Priority } from "@aio-request/line/core"
import { ConcurrencyLimit, Deadline } from "@aio-request/line/core"
import {
  assert,
  Deferred,
  describe,
  dieMessage,
  type DurationInput,
  Effect,
  Exit,
  failureOption,
  Fiber,
  fork,
  it,
  line,
  Ref,
  refused as illegal,
  TestClock,
  yieldNow
} from "@aio-request/line/testkit"

type Service = ConcurrencyLimit.ConcurrencyLimit.Service

/** Yields until the limiter holds `n` requests in flight (forked fibers need a turn to start). */
const untilInFlight = (limiter: Service, n: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1_000; i++) {
      if ((yield* limiter.state).inFlight === n) return
      yield* yieldNow
    }
    return yield* dieMessage(`never ${n} in flight: ${JSON.stringify(yield* limiter.state)}`)
  })

/** Holds `n` slots of `priority` until `gate` is completed. */
const hold = (limiter: Service, priority: Priority.Priority, n: number, gate: Deferred.Deferred<void>) =>
  Effect.gen(function*() {
    const before = (yield* limiter.state).inFlight
    const fibers = yield* Effect.forEach(
      Array.from({ length: n }),
      () => fork(limiter.admit(priority, Deferred.await(gate))),
      { concurrency: 1 }
    )
    yield* untilInFlight(limiter, before + n)
    return fibers
  })

/** Whether a request of `priority` is admitted now (it does nothing and ends at once). */
const admitted = (limiter: Service, priority: Priority.Priority) =>
  Effect.map(Effect.exit(limiter.admit(priority, Effect.void)), Exit.isSuccess)

/** `size` requests at once, each taking `latency`, moved along by the test clock; then the limit. */
const wave = (limiter: Service, size: number, latency: DurationInput, priority: Priority.Priority = "high") =>
  Effect.gen(function*() {
    const fiber = yield* fork(
      Effect.all(
        Array.from({ length: size }, () => Effect.exit(limiter.admit(priority, Effect.sleep(latency)))),
        { concurrency: "unbounded" }
      )
    )
    // every request of the wave starts before the clock moves (on Effect 4, the children
    // of Effect.all start on the scheduler's next turn)
    yield* yieldNow
    yield* TestClock.adjust(latency)
    yield* Fiber.join(fiber)
    return (yield* limiter.state).limit
  })

describe("ConcurrencyLimit admission", () => {
  it.effect("limit 10, default shares: high below 10 in flight, normal below 9, low below 5", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(10) })
      const gate = yield* Deferred.make<void>()
      const expected: Array<[number, boolean, boolean, boolean]> = []
      const seen: Array<[number, boolean, boolean, boolean]> = []
      for (let inFlight = 0; inFlight < 11; inFlight++) {
        expected.push([inFlight, inFlight < 10, inFlight < 9, inFlight < 5])
        seen.push([
          inFlight,
          yield* admitted(limiter, "high"),
          yield* admitted(limiter, "normal"),
          yield* admitted(limiter, "low")
        ])
        if (inFlight < 10) yield* hold(limiter, "high", 1, gate)
      }
      assert.deepStrictEqual(seen, expected)
      yield* Deferred.succeed(gate, undefined)
      yield* untilInFlight(limiter, 0)
    }))

  it.effect("high is admitted under max(1, floor(limit × share)); the others get nothing when their floor is 0", () =>
    Effect.gen(function*() {
      // limit 1: high 1, normal floor(0.9) = 0, low floor(0.5) = 0
      const one = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
      assert.isTrue(yield* admitted(one, "high"))
      assert.isFalse(yield* admitted(one, "normal"))
      assert.isFalse(yield* admitted(one, "low"))
      // high's own share rounds to 0 (floor(3 × 0.2)), max(1, …) still lets one in
      const small = yield* ConcurrencyLimit.make({
        limit: ConcurrencyLimit.fixed(3),
        shares: { high: 0.2, normal: 0.7, low: 0 }
      })
      assert.isTrue(yield* admitted(small, "high"))
      assert.isFalse(yield* admitted(small, "low"), "a share of 0 sheds every low request")
      const gate = yield* Deferred.make<void>()
      yield* hold(small, "high", 1, gate)
      assert.isFalse(yield* admitted(small, "high"), "only one high at a time")
      assert.isTrue(yield* admitted(small, "normal"), "normal: floor(3 × 0.7) = 2 > 1 in flight")
      yield* hold(small, "normal", 1, gate)
      assert.isFalse(yield* admitted(small, "normal"))
      assert.deepStrictEqual(yield* small.state, { limit: 3, inFlight: 2 })
      yield* Deferred.succeed(gate, undefined)
      yield* untilInFlight(small, 0)
    }))

  it("allowance is the rule written out", () => {
    const shares = { high: 1, normal: 0.9, low: 0.5 }
    assert.deepStrictEqual(
      [10, 20, 1, 3].map((limit) => [
        ConcurrencyLimit.allowance(limit, "high", shares),
        ConcurrencyLimit.allowance(limit, "normal", shares),
        ConcurrencyLimit.allowance(limit, "low", shares)
      ]),
      [[10, 9, 5], [20, 18, 10], [1, 0, 0], [3, 2, 1]]
    )
  })

  it.effect("a shed request fails at once with LoadShedError and its effect never runs", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(4) })
      const gate = yield* Deferred.make<void>()
      yield* hold(limiter, "normal", 2, gate)
      const runs = yield* Ref.make(0)
      const exit = yield* Effect.exit(limiter.admit("low", Ref.update(runs, (n) => n + 1)))
      assert.strictEqual(yield* Ref.get(runs), 0)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = failureOption(exit.cause)
        assert.isTrue(error._tag === "Some")
        if (error._tag === "Some") {
          assert.instanceOf(error.value, ConcurrencyLimit.LoadShedError)
          assert.strictEqual(error.value._tag, "LoadShedError")
          assert.deepInclude(error.value, { priority: "low", limit: 4, inFlight: 2 })
          assert.match(error.value.message, /low-priority request was refused with 2 requests in flight/)
          assert.match(error.value.message, /limit of 4/)
        }
      }
      // the shed request took no slot
      assert.deepStrictEqual(yield* limiter.state, { limit: 4, inFlight: 2 })
      yield* limiter.admit("high", Ref.update(runs, (n) => n + 1))
      assert.strictEqual(yield* Ref.get(runs), 1)
      yield* Deferred.succeed(gate, undefined)
      yield* untilInFlight(limiter, 0)
    }))

  it.effect("the slot is released on success, failure, defect and interruption", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(1) })
      assert.strictEqual(yield* limiter.admit("high", Effect.succeed(1)), 1)
      assert.strictEqual((yield* limiter.state).inFlight, 0)
      assert.isTrue(Exit.isFailure(yield* Effect.exit(limiter.admit("high", Effect.fail("boom")))))
      assert.strictEqual((yield* limiter.state).inFlight, 0)
      assert.isTrue(Exit.isFailure(yield* Effect.exit(limiter.admit("high", Effect.die("defect")))))
      assert.strictEqual((yield* limiter.state).inFlight, 0)

      const fiber = yield* fork(limiter.admit("high", Effect.never))
      yield* untilInFlight(limiter, 1)
      assert.isFalse(yield* admitted(limiter, "high"), "the slot is taken")
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* limiter.state).inFlight, 0)
      assert.isTrue(yield* admitted(limiter, "high"), "and free again")

      // interrupted while a timer runs inside (a timeout around the admitted call)
      const timed = yield* fork(Effect.timeout(limiter.admit("high", Effect.sleep("10 seconds")), "1 second"))
      yield* untilInFlight(limiter, 1)
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isFailure(yield* Fiber.await(timed)))
      assert.strictEqual((yield* limiter.state).inFlight, 0)
    }))

  it.effect("each make has its own state", () =>
    Effect.gen(function*() {
      const limit = ConcurrencyLimit.fixed(1)
      const a = yield* ConcurrencyLimit.make({ limit })
      const b = yield* ConcurrencyLimit.make({ limit })
      const gate = yield* Deferred.make<void>()
      yield* hold(a, "high", 1, gate)
      assert.isTrue(yield* admitted(b, "high"))
      yield* Deferred.succeed(gate, undefined)
    }))

  it.effect("layer provides the service under its tag", () =>
    Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.ConcurrencyLimit
      assert.deepStrictEqual(yield* limiter.state, { limit: 7, inFlight: 0 })
    }).pipe(Effect.provide(ConcurrencyLimit.layer({ limit: ConcurrencyLimit.fixed(7) }))))

  it("options are checked at construction, naming the option", () => {
    assert.match(
      illegal(() => ConcurrencyLimit.fixed(0)),
      /ConcurrencyLimit\.fixed: option "limit" must be an integer >= 1/
    )
    assert.match(illegal(() => ConcurrencyLimit.aimd({ backoffRatio: 1 })), /aimd: option "backoffRatio"/)
    assert.match(illegal(() => ConcurrencyLimit.aimd({ latencyThreshold: 0 })), /aimd: option "latencyThreshold"/)
    assert.match(
      illegal(() => ConcurrencyLimit.aimd({ min: 10, max: 5 })),
      /aimd: option "max" must be an integer >= 10/
    )
    assert.match(illegal(() => ConcurrencyLimit.aimd({ initial: 50, max: 40 })), /aimd: option "initial"/)
    assert.match(
      illegal(() => ConcurrencyLimit.aimd({ decayHalfLife: 0 })),
      /aimd: option "decayHalfLife" must be a positive duration/
    )
    assert.match(illegal(() => ConcurrencyLimit.gradient2({ tolerance: 0.5 })), /gradient2: option "tolerance"/)
    assert.match(illegal(() => ConcurrencyLimit.gradient2({ smoothing: 0 })), /gradient2: option "smoothing"/)
    assert.match(illegal(() => ConcurrencyLimit.gradient2({ longWindow: 0 })), /gradient2: option "longWindow"/)
    assert.match(illegal(() => ConcurrencyLimit.gradient2({ queueSize: -1 })), /gradient2: option "queueSize"/)
    const limit = ConcurrencyLimit.fixed(5)
    assert.match(illegal(() => ConcurrencyLimit.make({ limit: {} as any })), /make: option "limit"/)
    assert.match(
      illegal(() => ConcurrencyLimit.make({ limit, shares: { low: 1.5 } })),
      /make: option "shares.low" must be a number in \[0, 1\], got 1.5/
    )
    assert.match(illegal(() => ConcurrencyLimit.make({ limit, shares: "all" as any })), /make: option "shares"/)
    assert.match(illegal(() => ConcurrencyLimit.make({ limit, classify: true as any })), /make: option "classify"/)
  })
})

describe("ConcurrencyLimit.aimd", () => {
  const limiter = (options?: ConcurrencyLimit.Limit.AimdOptions) =>
    ConcurrencyLimit.make({ limit: ConcurrencyLimit.aimd({ latencyThreshold: "100 millis", ...options }) })

  // How much a wave grows the limit depends on the order in which its requests, all due at
  // the same instant, end: Effect 3's TestClock wakes them in another order than Effect 4's
  // (first in, first out). Each line pins its own figures.
  it.effect.skipIf(line === 4)("grows by one per fast success while the limit is in use", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 10 })
      const limits: Array<number> = []
      for (let i = 0; i < 5; i++) limits.push(yield* wave(l, 10, "10 millis"))
      // each wave: the requests that found at least half the limit in flight add 1
      for (let i = 1; i < limits.length; i++) assert.isAbove(limits[i]!, limits[i - 1]!)
      assert.isAbove(limits[0]!, 10)
    }))

  it.effect.skipIf(line === 3)(
    "grows by one per fast success while the limit is in use (Effect 4 order)",
    () =>
      Effect.gen(function*() {
        const l = yield* limiter({ initial: 10 })
        const limits: Array<number> = []
        for (let i = 0; i < 5; i++) limits.push(yield* wave(l, 10, "10 millis"))
        // the requests of a wave end in the order they started (1, 2, … 10 in flight when
        // admitted): each that found at least half the limit in flight adds 1, until 10 in
        // flight no longer reach half of it (2 × 10 + 1)
        assert.deepStrictEqual(limits, [16, 19, 20, 21, 21])
      })
  )

  it.effect("does not grow while the service is idle (fewer than half the limit in flight)", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 10 })
      for (let i = 0; i < 20; i++) yield* wave(l, 4, "10 millis")
      assert.strictEqual((yield* l.state).limit, 10)
    }))

  it.effect("backs off by backoffRatio on a drop (a DeadlineExceededError) and on a slow success", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 20 })
      yield* Effect.exit(l.admit("high", Effect.fail(new Deadline.DeadlineExceededError({}))))
      assert.strictEqual((yield* l.state).limit, 18)
      yield* wave(l, 1, "100 millis") // at the threshold: slow
      assert.strictEqual((yield* l.state).limit, 16)
      yield* wave(l, 1, "2 seconds")
      assert.strictEqual((yield* l.state).limit, 14)
      // other failures and interruptions say nothing about the load
      yield* Effect.exit(l.admit("high", Effect.fail("bad request")))
      yield* Effect.exit(l.admit("high", Effect.interrupt))
      assert.strictEqual((yield* l.state).limit, 14)
      // a classify of our own: this failure is a drop
      yield* Effect.exit(l.admit("high", Effect.fail("upstream 503"), () => "dropped"))
      assert.strictEqual((yield* l.state).limit, 12)
    }))

  it.effect("a slow request admitted with more in flight than the limit now allows does not cut it again", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 10 })
      // 10 slow requests at once: the first to finish cuts 10 → 9; those admitted
      // with 10 in flight saw a limit already cut, the rest cut once each as they
      // fall within it (at most one cut per request the limit still admits)
      yield* wave(l, 10, "200 millis")
      const afterBurst = (yield* l.state).limit
      assert.isAtLeast(
        afterBurst,
        5,
        `a burst of slow answers does not collapse the limit (0.9^10 × 10 would be 3): ${afterBurst}`
      )
      assert.isBelow(afterBurst, 10)
    }))

  it.effect("stays within min and max", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 5, min: 3, max: 8 })
      for (let i = 0; i < 20; i++) yield* wave(l, 8, "10 millis")
      assert.strictEqual((yield* l.state).limit, 8)
      for (let i = 0; i < 20; i++) yield* wave(l, 8, "500 millis")
      assert.strictEqual((yield* l.state).limit, 3)
      yield* Effect.exit(l.admit("high", Effect.fail(new Deadline.DeadlineExceededError({}))))
      assert.strictEqual((yield* l.state).limit, 3)
    }))

  /** Grows `l` with full waves until its limit reaches at least `target`; the limit reached. */
  const growTo = (l: Service, target: number) =>
    Effect.gen(function*() {
      let limit = (yield* l.state).limit
      while (limit < target) limit = yield* wave(l, limit, "10 millis")
      return limit
    })

  it.effect.skipIf(line === 4)(
    "decayHalfLife: an unused limit halves its excess over initial every half-life, down to initial",
    () =>
      Effect.gen(function*() {
        const decaying = yield* limiter({ initial: 10, decayHalfLife: "1 second" })
        const keeping = yield* limiter({ initial: 10 })
        const grown = yield* growTo(decaying, 30)
        assert.strictEqual(yield* growTo(keeping, 30), grown, "the same growth with and without decay")
        const excess = grown - 10
        const seen: Array<[number, number]> = []
        // 3 requests at a time: fewer than half the limit in flight, so it is not in use
        for (let second = 0; second < 8; second++) {
          seen.push([yield* wave(decaying, 3, "10 millis"), yield* wave(keeping, 3, "10 millis")])
          yield* TestClock.adjust("990 millis")
        }
        const halved = (k: number) => 10 + Math.floor(excess / 2 ** k)
        // the first second still holds the limit: the last full wave's tail found up
        // to half of it in flight, and a load that puts that many in flight keeps
        // the limit at 2 × that + 1; from then on only 3 are in flight, and each
        // whole second without use halves the excess over initial
        assert.deepStrictEqual(
          seen,
          [grown, grown, halved(1), halved(2), halved(3), halved(4), halved(5), halved(6)].map((l) => [l, grown])
        )
        assert.strictEqual(seen[7]![0], 10, "back to initial, not below")
        assert.isAbove(excess, 16)
      })
  )

  it.effect.skipIf(line === 3)(
    "decayHalfLife: an unused limit halves its excess every half-life (Effect 4 order)",
    () =>
      Effect.gen(function*() {
        const decaying = yield* limiter({ initial: 10, decayHalfLife: "1 second" })
        const keeping = yield* limiter({ initial: 10 })
        const grown = yield* growTo(decaying, 30)
        assert.strictEqual(yield* growTo(keeping, 30), grown, "the same growth with and without decay")
        const excess = grown - 10
        const seen: Array<[number, number]> = []
        for (let second = 0; second < 8; second++) {
          seen.push([yield* wave(decaying, 3, "10 millis"), yield* wave(keeping, 3, "10 millis")])
          yield* TestClock.adjust("990 millis")
        }
        const halved = (k: number) => 10 + Math.floor(excess / 2 ** k)
        // with the requests of a wave ending in the order they started, the limit is no longer
        // in use once the growth ends: from then on only 3 are in flight, and each whole second
        // without use halves the excess over initial
        assert.deepStrictEqual(
          seen,
          [grown, halved(1), halved(2), halved(3), halved(4), halved(5), halved(6), halved(7)].map((l) => [l, grown])
        )
        assert.strictEqual(seen[7]![0], 10, "back to initial, not below")
        assert.isAbove(excess, 16)
      })
  )

  it.effect("decayHalfLife: a limit in use keeps growing, and a limit cut below initial stays there", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 10, decayHalfLife: "100 millis" })
      let limit = 10
      for (let i = 0; i < 5; i++) {
        const next = yield* wave(l, limit, "10 millis")
        assert.isAbove(next, limit, "in use: half the limit or more in flight")
        limit = next
        yield* TestClock.adjust("1 second")
      }
      const cut = yield* limiter({ initial: 10, decayHalfLife: "100 millis" })
      for (let i = 0; i < 3; i++) {
        yield* Effect.exit(cut.admit("high", Effect.fail(new Deadline.DeadlineExceededError({}))))
      }
      const low = (yield* cut.state).limit
      assert.isBelow(low, 10)
      for (let i = 0; i < 10; i++) {
        yield* wave(cut, 1, "10 millis")
        yield* TestClock.adjust("1 second")
      }
      assert.strictEqual((yield* cut.state).limit, low, "decay only takes back unused growth above initial")
    }))

  it.effect("decayHalfLife: under a steady load the limit comes back to where that load alone holds it", () =>
    Effect.gen(function*() {
      const peaked = yield* limiter({ initial: 4, decayHalfLife: "1 second" })
      const fresh = yield* limiter({ initial: 4, decayHalfLife: "1 second" })
      assert.isAtLeast(yield* growTo(peaked, 40), 40)
      const limits: Array<[number, number]> = []
      // a steady load of 6 requests at a time, every 500 ms, for 30 s
      for (let i = 0; i < 60; i++) {
        limits.push([yield* wave(peaked, 6, "10 millis"), yield* wave(fresh, 6, "10 millis")])
        yield* TestClock.adjust("480 millis")
      }
      // growth holds the limit at 2 × 6 + 1 (a request finding 6 in flight no longer
      // adds 1); the decay takes the peaked one down to there and no further
      assert.strictEqual(limits[59]![1], 13)
      for (const [peakedLimit, freshLimit] of limits.slice(-40)) {
        assert.deepStrictEqual([peakedLimit, freshLimit], [13, 13])
      }
      assert.isAbove(limits[0]![0], 13)
    }))

  it.effect("a smaller limit sheds low first: low's share shrinks with it", () =>
    Effect.gen(function*() {
      const l = yield* limiter({ initial: 10 })
      const gate = yield* Deferred.make<void>()
      yield* hold(l, "high", 4, gate)
      assert.isTrue(yield* admitted(l, "low"), "4 < floor(10 × 0.5)")
      for (let i = 0; i < 2; i++) {
        yield* Effect.exit(l.admit("high", Effect.fail(new Deadline.DeadlineExceededError({}))))
      }
      assert.strictEqual((yield* l.state).limit, 8)
      assert.isFalse(yield* admitted(l, "low"), "4 = floor(8 × 0.5)")
      assert.isTrue(yield* admitted(l, "normal"))
      yield* Deferred.succeed(gate, undefined)
    }))
})

describe("ConcurrencyLimit.gradient2", () => {
  it.effect("grows while latency is steady, shrinks when it climbs, and recovers when it falls back", () =>
    Effect.gen(function*() {
      const l = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.gradient2({ initial: 20 }) })
      let limit = 20
      for (let i = 0; i < 3; i++) limit = yield* wave(l, limit, "10 millis")
      const grown = limit
      assert.isAbove(
        grown,
        20,
        "steady latency at full use: the limit grows by about queueSize × smoothing per request"
      )

      // queueing: 4× the long-run latency, gradient at its floor 0.5
      for (let i = 0; i < 3; i++) limit = yield* wave(l, limit, "40 millis")
      const shrunk = limit
      assert.isBelow(shrunk, grown / 2, "the limit falls fast while latency is 4× its long-run level")

      for (let i = 0; i < 3; i++) limit = yield* wave(l, limit, "10 millis")
      assert.isAbove(limit, shrunk, "latency back to normal: the limit grows again")
    }))

  it.effect("does not grow while application-limited, and stays within min and max", () =>
    Effect.gen(function*() {
      const l = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.gradient2({ initial: 20, min: 15, max: 30 }) })
      for (let i = 0; i < 20; i++) yield* wave(l, 5, "10 millis")
      assert.strictEqual((yield* l.state).limit, 20, "5 in flight < 20 / 2")
      let limit = 20
      for (let i = 0; i < 10; i++) limit = yield* wave(l, limit, "10 millis")
      assert.strictEqual(limit, 30)
      for (let i = 0; i < 5; i++) limit = yield* wave(l, limit, "40 millis")
      assert.strictEqual(limit, 15)
    }))
})

describe("ConcurrencyLimit.fixed", () => {
  it.effect("never moves", () =>
    Effect.gen(function*() {
      const l = yield* ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(6) })
      yield* wave(l, 6, "10 millis")
      yield* Effect.exit(l.admit("high", Effect.fail(new Deadline.DeadlineExceededError({}))))
      assert.strictEqual((yield* l.state).limit, 6)
    }))
})
