/**
 * What a JavaScript caller (no compiler to stop it) gets for a wrong option:
 * an `IllegalArgumentException` at construction whose message names the
 * constructor and the option, instead of a late `x is not a function` at the
 * first request. Good values keep working.
 */
import { CircuitBreaker, Deadline, Delays, Priority, RetryBudget, Strategy } from "@aio-request/line/core"
import {
  assert,
  configDuration,
  configInteger,
  configNumber,
  configValues,
  describe,
  Duration,
  Effect,
  Exit,
  isInvalidConfigValue,
  it,
  Layer,
  line,
  Option,
  refused,
  Schedule
} from "@aio-request/line/testkit"

/** Asserts that `f` is refused with a message naming `where` and `option`. */
const assertRefused = (f: () => unknown, where: string, option: string) => {
  const message = refused(f)
  assert.isTrue(
    message.startsWith(`${where}: option "${option}" must be `),
    `expected a message naming ${where} and "${option}", got: ${message}`
  )
}

/**
 * `{}`: not a duration on Effect 3; on Effect 4 an empty duration object (`Duration.Input`
 * takes `{ seconds, millis, ... }`), that is zero, accepted wherever zero is.
 */
const emptyObject: ReadonlyArray<object> = line === 3 ? [{}] : []

/** Lets a test pass what TypeScript would refuse, as JavaScript would. */
const js = (u: unknown): any => u

const breakerOptions = {
  breakDuration: "5 seconds",
  samplingDuration: "10 seconds",
  minimumThroughput: 10,
  failureThreshold: 0.5
} as const

describe("option checks for JavaScript callers", () => {
  it("Deadline.within: the timeout must be a duration", () => {
    for (const bad of [...emptyObject, "no", null, "soon", Number.NaN]) {
      assertRefused(() => Effect.void.pipe(Deadline.within(js(bad))), "Deadline.within", "timeout")
      assertRefused(() => Deadline.within(Effect.void, js(bad)), "Deadline.within", "timeout")
    }
    assert.match(refused(() => Deadline.within(Effect.void, js("no"))), /must be a duration, got "no"$/)
    // still accepted: durations, infinity, and a negative number (already expired, as fromTimeout)
    Deadline.within(Effect.void, "1 second")
    Deadline.within(Effect.void, 250)
    Deadline.within(Effect.void, Duration.infinity)
    if (line === 4) Deadline.within(Effect.void, js({}))
    Deadline.within(Effect.void, -1)
  })

  it.effect("Deadline.within: good values still cut", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.never.pipe(Deadline.within(-1)))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(yield* Effect.succeed(1).pipe(Deadline.within("1 second")), 1)
    }))

  it("Deadline.splitBetweenAttempts: options and attemptsToSplit", () => {
    assertRefused(() => Deadline.splitBetweenAttempts(js("no")), "Deadline.splitBetweenAttempts", "options")
    assertRefused(() => Deadline.splitBetweenAttempts(js(null)), "Deadline.splitBetweenAttempts", "options")
    assertRefused(
      () => Deadline.splitBetweenAttempts({ attemptsToSplit: js("2") }),
      "Deadline.splitBetweenAttempts",
      "attemptsToSplit"
    )
    assert.isFunction(Deadline.splitBetweenAttempts({ attemptsToSplit: 2 }))
    assert.isFunction(Deadline.splitBetweenAttempts())
  })

  it("Priority.withPriority: one of high, normal, low", () => {
    for (const bad of ["urgent", "HIGH", {}, null, 1]) {
      assertRefused(() => Effect.void.pipe(Priority.withPriority(js(bad))), "Priority.withPriority", "priority")
    }
    assert.strictEqual(
      refused(() => Priority.withPriority(Effect.void, js("urgent"))),
      "Priority.withPriority: option \"priority\" must be \"high\" or \"normal\" or \"low\", got \"urgent\""
    )
  })

  it.effect("Priority.withPriority: good values still set CurrentPriority", () =>
    Effect.gen(function*() {
      const priority = yield* Priority.CurrentPriority.pipe(Priority.withPriority("low"))
      assert.deepStrictEqual(priority, Option.some("low"))
    }))

  it("Delays: option bags, durations, numbers and schedules", () => {
    for (const bad of emptyObject) assertRefused(() => Delays.constant(js(bad)), "Delays.constant", "delay")
    if (line === 4) Delays.constant(js({}))
    assertRefused(() => Delays.constant(js(null)), "Delays.constant", "delay")
    assertRefused(() => Delays.linear(js("no")), "Delays.linear", "options")
    for (const bad of emptyObject) {
      assertRefused(() => Delays.linear({ multiplier: js(bad) }), "Delays.linear", "multiplier")
    }
    if (line === 4) Delays.linear({ multiplier: js({}) })
    assertRefused(() => Delays.linear({ jitter: js("0.1") }), "Delays.linear", "jitter")
    assertRefused(() => Delays.exponential(js(undefined)), "Delays.exponential", "options")
    assertRefused(() => Delays.exponential({ base: "10 millis", factor: js("2") }), "Delays.exponential", "factor")
    assertRefused(() => Delays.percentile(js(null)), "Delays.percentile", "options")
    assertRefused(() => Delays.percentile({ maxKeys: js("10") }), "Delays.percentile", "maxKeys")
    assertRefused(() => Delays.fromSchedule(js({})), "Delays.fromSchedule", "schedule")
    assertRefused(() => Delays.fromSchedule(js(Effect.void)), "Delays.fromSchedule", "schedule")
    // still accepted
    Delays.linear()
    Delays.linear({ min: 0, multiplier: "10 millis", jitter: 0 })
    Delays.exponential({ base: "10 millis" })
    Delays.fromSchedule(Schedule.spaced("10 millis"))
  })

  it("Strategy.sequential and parallel: delays must be a Delays, attemptDeadline a function", () => {
    for (const constructor of ["sequential", "parallel"] as const) {
      const make = Strategy[constructor]
      const where = `Strategy.${constructor}`
      assertRefused(() => make(js("no")), where, "options")
      assertRefused(() => make(js(null)), where, "options")
      assertRefused(() => make({ attempts: js("3") }), where, "attempts")
      assertRefused(() => make({ delays: js({}) }), where, "delays")
      assertRefused(() => make({ delays: js("50 millis") }), where, "delays")
      assertRefused(() => make({ delays: js({ delay: "50 millis" }) }), where, "delays")
      // Delays.percentile() is an Effect: it must be yielded first
      assert.match(
        refused(() => make({ delays: js(Delays.percentile()) })),
        /option "delays" must be a Delays \(with a delay function\), got an Effect \(not run: yield\* it first\)$/
      )
      assert.isTrue(Strategy.isStrategy(make({ attempts: 2, delays: Delays.constant("10 millis") })))
    }
    assertRefused(
      () => Strategy.sequential({ attemptDeadline: js("split") }),
      "Strategy.sequential",
      "attemptDeadline"
    )
    assert.isTrue(Strategy.isStrategy(Strategy.sequential({ attemptDeadline: Deadline.splitBetweenAttempts() })))
  })

  it("Strategy.retryUntilDeadline: base must be a Strategy, delays a Delays", () => {
    const where = "Strategy.retryUntilDeadline"
    assertRefused(() => Strategy.retryUntilDeadline(js({}), {}), where, "base")
    assertRefused(() => Strategy.retryUntilDeadline({})(js(Effect.void)), where, "base")
    assertRefused(() => Strategy.single.pipe(Strategy.retryUntilDeadline({ delays: js({}) })), where, "delays")
    assertRefused(() => Strategy.retryUntilDeadline(Strategy.single, js("no")), where, "options")
    assert.isTrue(Strategy.isStrategy(Strategy.single.pipe(Strategy.retryUntilDeadline())))
    assert.isTrue(
      Strategy.isStrategy(Strategy.retryUntilDeadline(Strategy.single, { delays: Delays.constant("10 millis") }))
    )
  })

  it("Strategy.byMethod: a record of strategies and a Strategy fallback", () => {
    const where = "Strategy.byMethod"
    assertRefused(() => Strategy.byMethod(js(null)), where, "strategies")
    assertRefused(() => Strategy.byMethod(js("GET")), where, "strategies")
    assertRefused(() => Strategy.byMethod({ GET: js({}) }), where, "GET")
    assertRefused(() => Strategy.byMethod({ GET: Strategy.single }, js({})), where, "fallback")
    assertRefused(() => Strategy.byMethod({}, js(null)), where, "fallback")
    assert.isTrue(Strategy.isStrategy(Strategy.byMethod({ GET: Strategy.parallel() }, Strategy.sequential())))
    assert.isTrue(Strategy.isStrategy(Strategy.byMethod({ GET: Strategy.parallel() })))
  })

  it("Strategy.withStrategy: a Strategy", () => {
    assertRefused(() => Effect.void.pipe(Strategy.withStrategy(js({}))), "Strategy.withStrategy", "strategy")
    assertRefused(
      () => Strategy.withStrategy(Effect.void, js(Strategy.parallel)),
      "Strategy.withStrategy",
      "strategy"
    )
    Effect.void.pipe(Strategy.withStrategy(Strategy.single))
  })

  it("CircuitBreaker.make and layer: each names itself and the option", () => {
    for (
      const [where, build] of [
        ["CircuitBreaker.make", CircuitBreaker.make],
        ["CircuitBreaker.layer", CircuitBreaker.layer]
      ] as const
    ) {
      assertRefused(() => build(js(undefined)), where, "options")
      assertRefused(() => build(js("no")), where, "options")
      assertRefused(() => build({ ...breakerOptions, breakDuration: js({}) }), where, "breakDuration")
      assertRefused(() => build({ ...breakerOptions, minimumThroughput: js("10") }), where, "minimumThroughput")
      assertRefused(() => build({ ...breakerOptions, failureThreshold: js(null) }), where, "failureThreshold")
      assertRefused(() => build({ ...breakerOptions, windowsCount: js("10") }), where, "windowsCount")
      assertRefused(() => build({ ...breakerOptions, onStateChange: js("log") }), where, "onStateChange")
      assertRefused(() => build({ ...breakerOptions, onStateChange: js(Effect.void) }), where, "onStateChange")
    }
  })

  it("CircuitBreaker.layerConfig: config and onStateChange are checked when it is called", () => {
    const config = {
      breakDuration: configDuration("BREAK"),
      samplingDuration: configDuration("SAMPLING"),
      minimumThroughput: configInteger("THROUGHPUT"),
      failureThreshold: configNumber("THRESHOLD")
    }
    const where = "CircuitBreaker.layerConfig"
    assertRefused(() => CircuitBreaker.layerConfig(js(null)), where, "config")
    assertRefused(() => CircuitBreaker.layerConfig(config, js("no")), where, "options")
    assertRefused(() => CircuitBreaker.layerConfig(config, { onStateChange: js({}) }), where, "onStateChange")
    CircuitBreaker.layerConfig(config, { onStateChange: () => Effect.void })
  })

  it.effect("CircuitBreaker.layerConfig: an invalid value read from Config is a ConfigError naming layerConfig", () =>
    Effect.gen(function*() {
      const layer = CircuitBreaker.layerConfig({
        breakDuration: configDuration("BREAK"),
        samplingDuration: configDuration("SAMPLING"),
        minimumThroughput: configInteger("THROUGHPUT"),
        failureThreshold: configNumber("THRESHOLD")
      })
      const provider = configValues({ BREAK: "5 seconds", SAMPLING: "10 seconds", THROUGHPUT: "10", THRESHOLD: "2" })
      const error = yield* Effect.flip(
        Layer.build(layer).pipe(Effect.scoped, Effect.provide(provider))
      )
      assert.isTrue(isInvalidConfigValue(error), String(error))
      assert.include(String(error), "CircuitBreaker.layerConfig: option \"failureThreshold\"")
    }))

  it.effect("CircuitBreaker: good options still build a working breaker", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ ...breakerOptions, onStateChange: () => Effect.void })
      assert.strictEqual(yield* breaker.execute("s", Effect.succeed(1), Exit.isFailure), 1)
    }))

  it("RetryBudget.make, layer and layerConfig: each names itself and the option", () => {
    for (
      const [where, build] of [
        ["RetryBudget.make", RetryBudget.make],
        ["RetryBudget.layer", RetryBudget.layer]
      ] as const
    ) {
      assertRefused(() => build(js("no")), where, "options")
      assertRefused(() => build(js(null)), where, "options")
      assertRefused(() => build({ ratio: js("0.2") }), where, "ratio")
      assertRefused(() => build({ minPerSecond: js({}) }), where, "minPerSecond")
      assertRefused(() => build({ ttl: js("soon") }), where, "ttl")
      build()
      build({ ratio: 0.5, minPerSecond: 1, ttl: "1 second" })
    }
    assertRefused(() => RetryBudget.layerConfig(js(null)), "RetryBudget.layerConfig", "config")
    RetryBudget.layerConfig({ ratio: configNumber("RATIO") })
  })
})
