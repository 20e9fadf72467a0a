import { Deadline, Delays, Strategy } from "@aio-request/line/core"
import {
  assert,
  Cause,
  Clock,
  describe,
  Duration,
  type DurationInput,
  Effect,
  Exit,
  failureOption,
  Fiber,
  fork,
  it,
  onlyFailure,
  Option,
  Ref,
  TestClock
} from "@aio-request/line/testkit"

/** An attempt that answers `value` (or fails with it) after `latency`, and logs what happened to it. */
interface Script {
  readonly latency: DurationInput
  readonly ok: boolean
  readonly value: string
}

const scripted = (scripts: ReadonlyArray<Script>) =>
  Effect.gen(function*() {
    const log = yield* Ref.make<ReadonlyArray<string>>([])
    const record = (line: string) => Ref.update(log, (lines) => [...lines, line])
    const attempt = ({ attempt }: Strategy.AttemptContext) => {
      const script = scripts[attempt]!
      return Effect.gen(function*() {
        yield* record(`start ${attempt} @${yield* Clock.currentTimeMillis}`)
        yield* Effect.sleep(script.latency)
        yield* record(`end ${attempt} @${yield* Clock.currentTimeMillis}`)
        return script.ok ? script.value : yield* Effect.fail(script.value)
      }).pipe(Effect.onInterrupt(() =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => record(`interrupted ${attempt} @${now}`))
      ))
    }
    return { log, attempt }
  })

const noJitter = (multiplier: DurationInput) => Delays.linear({ min: 0, multiplier, jitter: 0 })

const runFor = <A, E>(strategy: Strategy.Strategy, options: {
  readonly timeout: DurationInput
  readonly attempt: (ctx: Strategy.AttemptContext) => Effect.Effect<A, E>
  readonly classify?: (exit: Exit.Exit<A, E | Deadline.DeadlineExceededError>) => Strategy.Verdict
  readonly method?: string
}) =>
  Effect.gen(function*() {
    const deadline = yield* Deadline.fromTimeout(options.timeout)
    return yield* Strategy.run(strategy, {
      attempt: options.attempt,
      classify: options.classify ?? ((exit) => Exit.isSuccess(exit) ? "accept" : "reject"),
      deadline,
      ...(options.method === undefined ? {} : { method: options.method })
    })
  })

const ok = (latency: DurationInput, value = "ok"): Script => ({ latency, ok: true, value })
const ko = (latency: DurationInput, value = "ko"): Script => ({ latency, ok: false, value })

describe("Strategy.single", () => {
  it.effect("sends one attempt and returns its outcome as it was", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "boom")])
      const fiber = yield* fork(Effect.exit(runFor(Strategy.single, { timeout: "1 second", attempt })))
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("boom"))
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
    }))
})

describe("Strategy.sequential", () => {
  it.effect("stops at the first accepted outcome", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ok("10 millis", "first"), ok("10 millis", "second")])
      const fiber = yield* fork(runFor(Strategy.sequential(), { timeout: "1 second", attempt }))
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "first")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
    }))

  it.effect("a rejected then accepted pair returns the accepted one, after the delay", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis"), ok("10 millis", "second")])
      const strategy = Strategy.sequential({ attempts: 3, delays: noJitter("50 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "1 second", attempt }))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "second")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10", "start 1 @60", "end 1 @70"])
    }))

  it.effect("returns the last outcome when every attempt is rejected", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ko("1 millis", "a"), ko("1 millis", "b"), ko("1 millis", "c")])
      const strategy = Strategy.sequential({ attempts: 3, delays: noJitter("10 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "1 second", attempt })))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("c"))
    }))

  it.effect("a rejected success stays a success", () =>
    Effect.gen(function*() {
      const attempt = ({ attempt }: Strategy.AttemptContext) => Effect.succeed(`status ${503 - attempt}`)
      const strategy = Strategy.sequential({ attempts: 2, delays: noJitter("10 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "1 second", attempt, classify: () => "reject" }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "status 502")
    }))

  it.effect("does not sleep past the deadline: it returns the last outcome instead", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("100 millis", "first"), ok("1 millis")])
      const strategy = Strategy.sequential({ attempts: 2, delays: Delays.constant("500 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "300 millis", attempt })))
      yield* TestClock.adjust("100 millis")
      // answered when the first attempt ends, not at the deadline
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("first"))
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @100"])
    }))

  it.effect("splitBetweenAttempts: 1 s over 3 attempts gives each a third when they use it", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const attempt = ({ deadline }: Strategy.AttemptContext) =>
        Effect.gen(function*() {
          seen.push(Duration.toMillis(yield* Deadline.remaining(deadline)))
          return yield* Effect.never
        })
      const strategy = Strategy.sequential({
        attempts: 3,
        delays: Delays.constant(0),
        attemptDeadline: Deadline.splitBetweenAttempts()
      })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "1 second", attempt })))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(seen.map(Math.round), [333, 333, 333])
    }))

  it.effect("splitBetweenAttempts: a fast failure hands the rest on (0.1 s + 0.1 s, then 0.8 s)", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const attempt = ({ attempt, deadline }: Strategy.AttemptContext) =>
        Effect.gen(function*() {
          seen.push(Duration.toMillis(yield* Deadline.remaining(deadline)))
          // the deadline in context is the attempt's own
          const current = yield* Deadline.CurrentDeadline
          assert.deepStrictEqual(current, Option.some(deadline))
          if (attempt < 2) return yield* Effect.fail("fast failure").pipe(Effect.delay("100 millis"))
          return "third"
        })
      const strategy = Strategy.sequential({
        attempts: 3,
        delays: Delays.constant(0),
        attemptDeadline: Deadline.splitBetweenAttempts()
      })
      const fiber = yield* fork(runFor(strategy, { timeout: "1 second", attempt }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "third")
      assert.deepStrictEqual(seen.map(Math.round), [333, 450, 800])
    }))

  it.effect("splitBetweenAttempts({ attemptsToSplit: 2 }) gives the first attempt half", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const attempt = ({ deadline }: Strategy.AttemptContext) =>
        Effect.flatMap(Deadline.remaining(deadline), (left) => {
          seen.push(Duration.toMillis(left))
          return Effect.succeed("ok")
        })
      const strategy = Strategy.sequential({ attemptDeadline: Deadline.splitBetweenAttempts({ attemptsToSplit: 2 }) })
      yield* runFor(strategy, { timeout: "1 second", attempt })
      assert.deepStrictEqual(seen, [500])
    }))

  it.effect("an attempt cut at its attempt deadline is a DeadlineExceededError outcome and the next one goes", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ok("10 seconds", "slow"), ok("10 millis", "fast")])
      const strategy = Strategy.sequential({
        attempts: 2,
        delays: Delays.constant(0),
        attemptDeadline: Deadline.splitBetweenAttempts()
      })
      const fiber = yield* fork(runFor(strategy, { timeout: "1 second", attempt }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "fast")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "interrupted 0 @500", "start 1 @500", "end 1 @510"])
    }))
})

describe("Strategy.parallel", () => {
  it.effect("a slow first attempt and a fast second: the second wins at delay(1) + its latency", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ok("1 second", "slow"), ok("20 millis", "fast")])
      const strategy = Strategy.parallel({ attempts: 2, delays: noJitter("50 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("70 millis")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result, "fast")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "start 1 @50", "end 1 @70", "interrupted 0 @70"])
    }))

  it.effect("a rejected attempt starts the next one at once", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis"), ok("10 millis", "second")])
      const strategy = Strategy.parallel({ attempts: 2, delays: noJitter("500 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("20 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "second")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10", "start 1 @10", "end 1 @20"])
    }))

  it.effect("all rejected: the first rejected outcome to complete is returned", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ko("300 millis", "a"), ko("100 millis", "b"), ko("500 millis", "c")])
      const strategy = Strategy.parallel({ attempts: 3, delays: noJitter("10 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "5 seconds", attempt })))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("b"))
    }))

  it.effect("hedges start at delay(n) after the start, not after the previous one", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ok("1 second"), ok("1 second"), ok("10 millis", "third")])
      const strategy = Strategy.parallel({ attempts: 3, delays: noJitter("100 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("210 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "third")
      const lines = yield* Ref.get(log)
      assert.deepStrictEqual(lines.slice(0, 4), ["start 0 @0", "start 1 @100", "start 2 @200", "end 2 @210"])
      assert.sameMembers(lines.slice(4), ["interrupted 0 @210", "interrupted 1 @210"])
    }))

  it.effect("tells each attempt whether it is the first or a hedge", () =>
    Effect.gen(function*() {
      const kinds: Array<string> = []
      const strategy = Strategy.parallel({ attempts: 3, delays: noJitter("10 millis") })
      const fiber = yield* fork(
        runFor(strategy, {
          timeout: "1 second",
          attempt: ({ kind }) => Effect.sync(() => kinds.push(kind)).pipe(Effect.andThen(Effect.never))
        }).pipe(Effect.exit)
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(kinds, ["first", "hedge", "hedge"])
    }))
})

describe("Strategy.retryUntilDeadline", () => {
  it.effect("repeats until an outcome is accepted", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis"), ko("10 millis"), ok("10 millis", "third")])
      const strategy = Strategy.retryUntilDeadline(Strategy.single, { delays: Delays.constant("100 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "third")
      assert.deepStrictEqual(
        (yield* Ref.get(log)).filter((line) => line.startsWith("start")),
        ["start 0 @0", "start 1 @110", "start 2 @220"]
      )
    }))

  it.effect("fails with DeadlineExceededError once the deadline has passed", () =>
    Effect.gen(function*() {
      let calls = 0
      const attempt = () =>
        Effect.sync(() => calls++).pipe(Effect.delay("10 millis"), Effect.andThen(Effect.fail("nope")))
      const strategy = Strategy.single.pipe(Strategy.retryUntilDeadline({ delays: Delays.constant("90 millis") }))
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "1 second", attempt })))
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(
        Exit.isFailure(exit) && Option.isSome(onlyFailure(exit.cause)) &&
          (Option.getOrThrow(onlyFailure(exit.cause)) as any)._tag === "DeadlineExceededError"
      )
      assert.strictEqual(calls, 10)
    }))
})

describe("Strategy.byMethod and default", () => {
  it.effect("default: GET is retried, POST is not", () =>
    Effect.gen(function*() {
      for (
        const [method, expected] of [["GET", 3], ["get", 3], ["HEAD", 3], ["OPTIONS", 3], ["POST", 1], [
          "PUT",
          1
        ]] as const
      ) {
        let calls = 0
        const fiber = yield* fork(Effect.exit(runFor(Strategy.default, {
          timeout: "10 seconds",
          method,
          attempt: () => Effect.sync(() => calls++).pipe(Effect.andThen(Effect.fail("ko")))
        })))
        yield* TestClock.adjust("10 seconds")
        yield* Fiber.join(fiber)
        assert.strictEqual(calls, expected, method)
      }
    }))
})

describe("every strategy under the run's deadline", () => {
  const strategies: ReadonlyArray<readonly [string, Strategy.Strategy]> = [
    ["single", Strategy.single],
    ["sequential", Strategy.sequential({ delays: noJitter("10 millis") })],
    ["parallel", Strategy.parallel({ delays: noJitter("10 millis") })],
    ["retryUntilDeadline", Strategy.retryUntilDeadline(Strategy.single)]
  ]
  for (const [name, strategy] of strategies) {
    it.effect(`${name}: DeadlineExceededError at the deadline, and nothing keeps running`, () =>
      Effect.gen(function*() {
        const { attempt, log } = yield* scripted([ok("10 seconds"), ok("10 seconds"), ok("10 seconds")])
        const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "500 millis", attempt })))
        yield* TestClock.adjust("500 millis")
        const exit = yield* Fiber.join(fiber)
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          assert.strictEqual(Cause.squash(exit.cause) instanceof Deadline.DeadlineExceededError, true)
        }
        yield* TestClock.adjust("20 seconds")
        const lines = yield* Ref.get(log)
        assert.isFalse(lines.some((line) => line.startsWith("end")), lines.join(", "))
        const started = lines.filter((line) => line.startsWith("start")).length
        const interrupted = lines.filter((line) => line.startsWith("interrupted")).length
        assert.isAbove(started, 0)
        assert.strictEqual(interrupted, started)
      }))

    it.effect(`${name}: interrupting the caller interrupts every attempt`, () =>
      Effect.gen(function*() {
        const { attempt, log } = yield* scripted([ok("10 seconds"), ok("10 seconds"), ok("10 seconds")])
        const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
        yield* TestClock.adjust("100 millis")
        yield* Fiber.interrupt(fiber)
        yield* TestClock.adjust("20 seconds")
        const lines = yield* Ref.get(log)
        const started = lines.filter((line) => line.startsWith("start")).length
        assert.isAbove(started, 0)
        assert.strictEqual(lines.filter((line) => line.startsWith("interrupted")).length, started)
        assert.isFalse(lines.some((line) => line.startsWith("end")))
      }))

    it.effect(`${name}: an expired deadline fails at once without an attempt`, () =>
      Effect.gen(function*() {
        const { attempt, log } = yield* scripted([ok("1 millis")])
        const exit = yield* Effect.exit(runFor(strategy, { timeout: 0, attempt }))
        assert.isTrue(Exit.isFailure(exit))
        assert.deepStrictEqual(yield* Ref.get(log), [])
      }))
  }
})

describe("bad options", () => {
  it("are refused at construction, naming the option", () => {
    assert.throws(() => Strategy.sequential({ attempts: 0 }), /Strategy.sequential: option "attempts"/)
    assert.throws(() => Strategy.sequential({ attempts: 1.5 }), /attempts/)
    assert.throws(() => Strategy.parallel({ attempts: -1 }), /Strategy.parallel: option "attempts"/)
    assert.throws(() => Strategy.parallel({ attempts: Number.NaN }), /attempts/)
    assert.throws(() => Deadline.splitBetweenAttempts({ attemptsToSplit: 1 }), /attemptsToSplit/)
    assert.throws(() => Strategy.byMethod({ GET: {} as any }), /GET/)
  })
})

describe("Strategy.run: outcome reporting (onAttempt), release and error fields", () => {
  /** Runs `strategy` recording every report, every classification and every release. */
  const observed = <A, E>(strategy: Strategy.Strategy, options: {
    readonly timeout: DurationInput
    readonly attempt: (ctx: Strategy.AttemptContext) => Effect.Effect<A, E>
    readonly classify?: (exit: Exit.Exit<A, E | Deadline.DeadlineExceededError>) => Strategy.Verdict
    readonly subject?: string
  }) => {
    const reports: Array<Strategy.AttemptOutcome<A, E>> = []
    const released: Array<A> = []
    let classified = 0
    const classify = options.classify ?? ((exit) => Exit.isSuccess(exit) ? "accept" : "reject")
    const effect = Effect.flatMap(Deadline.fromTimeout(options.timeout), (deadline) =>
      Strategy.run(strategy, {
        attempt: options.attempt,
        classify: (exit) => {
          classified++
          return classify(exit)
        },
        deadline,
        subject: options.subject,
        onAttempt: (outcome) => Effect.sync(() => reports.push(outcome)),
        release: (value) => Effect.sync(() => released.push(value))
      }))
    return { effect, reports, released, classified: () => classified }
  }
  const summary = <A, E>(reports: ReadonlyArray<Strategy.AttemptOutcome<A, E>>) =>
    reports.map((r) => `${r.attempt} ${r.kind} ${r.verdict} ${Duration.toMillis(r.duration)}ms${r.cut ? " cut" : ""}`)
  const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
    Option.getOrThrow(
      failureOption((exit as Exit.Failure<A, E>).cause)
    ) as unknown as Deadline.DeadlineExceededError

  it.effect("sequential: one report per attempt, after classification, with kind, verdict and duration", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ko("10 millis"), ok("20 millis", "second")])
      const run = observed(Strategy.sequential({ delays: Delays.constant("5 millis") }), {
        timeout: "1 second",
        attempt
      })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "second")
      assert.deepStrictEqual(summary(run.reports), ["0 first reject 10ms", "1 retry accept 20ms"])
      assert.deepStrictEqual(run.reports[0]!.exit, Exit.fail("ko"))
      assert.strictEqual(run.classified(), 2)
    }))

  it.effect("an attempt cut at its own deadline is reported cut, with the budget and phase in its error", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("10 seconds", "slow"), ok("10 millis", "fast")])
      const strategy = Strategy.sequential({
        attempts: 2,
        delays: Delays.constant(0),
        attemptDeadline: Deadline.splitBetweenAttempts()
      })
      const run = observed(strategy, { timeout: "1 second", attempt, subject: "GET http://h/p" })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "fast")
      assert.deepStrictEqual(summary(run.reports), ["0 first reject 500ms cut", "1 retry accept 10ms"])
      const error = errorOf(run.reports[0]!.exit)
      assert.strictEqual(error._tag, "DeadlineExceededError")
      assert.strictEqual(error.phase, "attempt")
      assert.strictEqual(error.attempt, 0)
      assert.strictEqual(error.subject, "GET http://h/p")
      assert.isTrue(Duration.equals(error.budget!, Duration.millis(500)))
      assert.strictEqual(error.message, "GET http://h/p: attempt deadline of 500ms exceeded in attempt 0")
      assert.strictEqual(run.classified(), 2)
    }))

  it.effect("the run's deadline: attempts in flight are reported cut once, the error names the run", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("10 seconds"), ok("10 seconds"), ok("10 seconds")])
      const run = observed(Strategy.parallel({ delays: noJitter("100 millis") }), {
        timeout: "1 second",
        attempt,
        subject: "GET http://h/p"
      })
      const fiber = yield* fork(Effect.exit(run.effect))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(fiber)
      const error = errorOf(exit)
      assert.strictEqual(error.phase, "run")
      assert.isTrue(Duration.equals(error.budget!, Duration.seconds(1)))
      assert.strictEqual(error.message, "GET http://h/p: deadline of 1s exceeded with attempt 2 in flight")
      yield* TestClock.adjust("20 seconds")
      assert.deepStrictEqual(summary(run.reports), [
        "0 first reject 1000ms cut",
        "1 hedge reject 900ms cut",
        "2 hedge reject 800ms cut"
      ])
      assert.strictEqual(errorOf(run.reports[1]!.exit).phase, "run")
      assert.strictEqual(run.classified(), 3)
    }))

  it.effect("losers interrupted because another attempt won are not reported", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("1 second", "slow"), ok("20 millis", "fast")])
      const run = observed(Strategy.parallel({ attempts: 2, delays: noJitter("50 millis") }), {
        timeout: "5 seconds",
        attempt
      })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("70 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "fast")
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(summary(run.reports), ["1 hedge accept 20ms"])
      assert.strictEqual(run.classified(), 1)
      assert.deepStrictEqual(run.released, [])
    }))

  it.effect("interrupting the caller reports nothing and releases what was held", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("10 millis", "rejected"), ok("10 seconds")])
      const run = observed(Strategy.sequential({ delays: Delays.constant(0) }), {
        timeout: "1 minute",
        attempt,
        classify: (exit) => Exit.isSuccess(exit) && exit.value !== "rejected" ? "accept" : "reject"
      })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("100 millis")
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(summary(run.reports), ["0 first reject 10ms"])
      assert.deepStrictEqual(run.released, ["rejected"])
    }))

  it.effect("a rejected success superseded by a later outcome is released once; the result never is", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("10 millis", "a"), ok("10 millis", "b"), ok("10 millis", "c")])
      const run = observed(Strategy.sequential({ delays: Delays.constant(0) }), {
        timeout: "1 second",
        attempt,
        classify: () => "reject"
      })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("1 second")
      // nothing accepted: the last outcome is the result, as it was
      assert.strictEqual(yield* Fiber.join(fiber), "c")
      assert.deepStrictEqual(run.released, ["a", "b"])
    }))

  it.effect("parallel, all rejected: the first rejected is the result, the others are released", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("300 millis", "a"), ok("100 millis", "b"), ok("500 millis", "c")])
      const run = observed(Strategy.parallel({ attempts: 3, delays: noJitter("10 millis") }), {
        timeout: "5 seconds",
        attempt,
        classify: () => "reject"
      })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "b")
      assert.sameMembers(run.released, ["a", "c"])
      assert.strictEqual(run.classified(), 3)
    }))

  it.effect("a rejected success held when the run's deadline passes is released", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("10 millis", "rejected"), ok("10 seconds")])
      const run = observed(Strategy.sequential({ delays: Delays.constant(0) }), {
        timeout: "1 second",
        attempt,
        classify: (exit) => Exit.isSuccess(exit) && exit.value !== "rejected" ? "accept" : "reject"
      })
      const fiber = yield* fork(Effect.exit(run.effect))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(errorOf(yield* Fiber.join(fiber))._tag, "DeadlineExceededError")
      assert.deepStrictEqual(run.released, ["rejected"])
      assert.deepStrictEqual(summary(run.reports), ["0 first reject 10ms", "1 retry reject 990ms cut"])
    }))

  it("DeadlineExceededError keeps its old message without the new fields", () => {
    assert.strictEqual(new Deadline.DeadlineExceededError({ reason: "expired" }).message, "the deadline has passed")
    assert.strictEqual(
      new Deadline.DeadlineExceededError({ reason: "below-threshold" }).message,
      "the remaining deadline is below the low-timeout threshold"
    )
    assert.strictEqual(
      new Deadline.DeadlineExceededError({ budget: Duration.seconds(2), phase: "body", subject: "GET http://h/p" })
        .message,
      "GET http://h/p: deadline of 2s exceeded while reading the body"
    )
  })

  it.effect("an expired deadline fails at once, with the subject in the error", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("1 millis")])
      const run = observed(Strategy.single, { timeout: 0, attempt, subject: "job 7" })
      const error = errorOf(yield* Effect.exit(run.effect))
      assert.strictEqual(error.subject, "job 7")
      assert.strictEqual(error.phase, "run")
      assert.deepStrictEqual(run.reports, [])
    }))

  it.effect("a failing onAttempt or release is logged and ignored: the run goes on", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("10 millis", "a"), ok("10 millis", "b")])
      const deadline = yield* Deadline.fromTimeout("1 second")
      const fiber = yield* fork(Strategy.run(Strategy.sequential({ delays: Delays.constant(0) }), {
        attempt,
        classify: (exit) => Exit.isSuccess(exit) && exit.value === "b" ? "accept" : "reject",
        deadline,
        onAttempt: () => Effect.die("onAttempt broke"),
        release: () => Effect.die("release broke")
      }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "b")
    }))

  it.effect("single: an attempt that ends at once is classified and reported once, its exit the result, never released", () =>
    Effect.gen(function*() {
      const accepted = observed(Strategy.single, { timeout: "1 second", attempt: () => Effect.succeed("a") })
      assert.strictEqual(yield* accepted.effect, "a")
      assert.deepStrictEqual(summary(accepted.reports), ["0 first accept 0ms"])
      assert.deepStrictEqual(accepted.reports[0]!.exit, Exit.succeed("a"))
      assert.strictEqual(accepted.classified(), 1)
      assert.deepStrictEqual(accepted.released, [])

      const rejected = observed(Strategy.single, {
        timeout: "1 second",
        attempt: () => Effect.succeed("b"),
        classify: () => "reject"
      })
      assert.strictEqual(yield* rejected.effect, "b")
      assert.deepStrictEqual(summary(rejected.reports), ["0 first reject 0ms"])
      assert.strictEqual(rejected.classified(), 1)
      assert.deepStrictEqual(rejected.released, [])

      const failed = observed(Strategy.single, { timeout: "1 second", attempt: () => Effect.fail("ko") })
      assert.deepStrictEqual(yield* Effect.exit(failed.effect), Exit.fail("ko"))
      assert.deepStrictEqual(summary(failed.reports), ["0 first reject 0ms"])
      assert.strictEqual(failed.classified(), 1)
    }))

  it.effect("single: a running attempt is reported once with its duration, never released", () =>
    Effect.gen(function*() {
      const { attempt } = yield* scripted([ok("30 millis", "a")])
      const run = observed(Strategy.single, { timeout: "1 second", attempt })
      const fiber = yield* fork(run.effect)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "a")
      assert.deepStrictEqual(summary(run.reports), ["0 first accept 30ms"])
      assert.strictEqual(run.classified(), 1)
      assert.deepStrictEqual(run.released, [])
    }))

  it.effect("single: a failing onAttempt for an attempt that ends at once is logged and ignored", () =>
    Effect.gen(function*() {
      const deadline = yield* Deadline.fromTimeout("1 second")
      const result = yield* Strategy.run(Strategy.single, {
        attempt: () => Effect.succeed("a"),
        classify: () => "accept",
        deadline,
        onAttempt: () => Effect.die("onAttempt broke"),
        release: () => Effect.die("release broke")
      })
      assert.strictEqual(result, "a")
    }))
})
