import { Deadline, Delays, Strategy } from "@aio-request/line/core"
import {
  assert,
  Clock,
  describe,
  type DurationInput,
  Effect,
  Exit,
  failureOption,
  Fiber,
  fork,
  it,
  Option,
  Ref,
  TestClock
} from "@aio-request/line/testkit"

/**
 * `RunOptions.pushback` (as gRPC's retry pushback): a rejected outcome says
 * how long to wait before the next attempt, or to send none. Here an attempt
 * fails with a string: `"wait 300"` asks for 300 ms, `"stop"` for none.
 */
const pushback = (exit: Exit.Exit<string, unknown>): number | "stop" | undefined => {
  if (!Exit.isFailure(exit)) return undefined
  const error = Option.getOrUndefined(failureOption(exit.cause))
  if (error === "stop") return "stop"
  return typeof error === "string" && error.startsWith("wait ") ? Number(error.slice(5)) : undefined
}

interface Script {
  readonly latency: DurationInput
  readonly ok: boolean
  readonly value: string
}
const ok = (latency: DurationInput, value = "ok"): Script => ({ latency, ok: true, value })
const ko = (latency: DurationInput, value = "ko"): Script => ({ latency, ok: false, value })

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

const runFor = (strategy: Strategy.Strategy, options: {
  readonly timeout: DurationInput
  readonly attempt: (ctx: Strategy.AttemptContext) => Effect.Effect<string, string>
  readonly pushback?: boolean
}) =>
  Effect.gen(function*() {
    const deadline = yield* Deadline.fromTimeout(options.timeout)
    return yield* Strategy.run(strategy, {
      attempt: options.attempt,
      classify: (exit) => Exit.isSuccess(exit) ? "accept" : "reject",
      deadline,
      pushback: options.pushback === false ? undefined : pushback
    })
  })

describe("Strategy.sequential with pushback", () => {
  it.effect("waits the pushback before the next attempt when it is longer than the backoff", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "wait 300"), ok("10 millis")])
      const strategy = Strategy.sequential({ attempts: 2, delays: noJitter("50 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("309 millis")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
      yield* TestClock.adjust("11 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10", "start 1 @310", "end 1 @320"])
    }))

  it.effect("keeps a backoff longer than the pushback", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "wait 20"), ok("10 millis")])
      const strategy = Strategy.sequential({ attempts: 2, delays: noJitter("100 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("120 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10", "start 1 @110", "end 1 @120"])
    }))

  it.effect("ends at once with the outcome that said stop", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "stop"), ok("10 millis")])
      const strategy = Strategy.sequential({ attempts: 3, delays: noJitter("1 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "5 seconds", attempt })))
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("stop"))
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
    }))

  it.effect("ends at once, not at the deadline, when the wait would pass the deadline", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "wait 5000"), ok("10 millis")])
      const strategy = Strategy.sequential({ attempts: 3, delays: noJitter("1 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "1 second", attempt })))
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("wait 5000"))
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
    }))

  it.effect("reads nothing without the hook", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "stop"), ok("10 millis")])
      const strategy = Strategy.sequential({ attempts: 2, delays: noJitter("1 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt, pushback: false }))
      yield* TestClock.adjust("21 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.deepStrictEqual((yield* Ref.get(log)).length, 4)
    }))
})

describe("Strategy.parallel with pushback", () => {
  it.effect("sends no hedge before the pushback has passed", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "wait 300"), ok("10 millis"), ok("10 millis")])
      const strategy = Strategy.parallel({ attempts: 3, delays: noJitter("100 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      // the rejection would start the hedge at once, and its delay is at 100: both wait for 310
      yield* TestClock.adjust("309 millis")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
      yield* TestClock.adjust("11 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10", "start 1 @310", "end 1 @320"])
    }))

  it.effect("postpones a hedge already scheduled, and the one after it", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([
        ko("50 millis", "wait 200"),
        ko("500 millis"),
        ok("10 millis")
      ])
      const strategy = Strategy.parallel({ attempts: 3, delays: noJitter("100 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      // attempt 1 was due at 100: the pushback at 50 holds it until 250, and attempt 2 (due at 200) as much
      yield* TestClock.adjust("249 millis")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @50"])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual((yield* Ref.get(log)).slice(2), ["start 1 @250"])
      yield* TestClock.adjust("110 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.deepStrictEqual((yield* Ref.get(log)).slice(2), [
        "start 1 @250",
        "start 2 @350",
        "end 2 @360",
        "interrupted 1 @360"
      ])
    }))

  it.effect("sends no more hedges after a stop, and lets those in flight answer", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("150 millis", "stop"), ok("150 millis"), ok("10 millis")])
      const strategy = Strategy.parallel({ attempts: 3, delays: noJitter("100 millis") })
      const fiber = yield* fork(runFor(strategy, { timeout: "5 seconds", attempt }))
      yield* TestClock.adjust("250 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "start 1 @100", "end 0 @150", "end 1 @250"])
    }))

  it.effect("ends at once with the stop when nothing else is in flight", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "wait 9000"), ok("10 millis")])
      const strategy = Strategy.parallel({ attempts: 2, delays: noJitter("100 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "1 second", attempt })))
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("wait 9000"))
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10"])
    }))
})

describe("Strategy.retryUntilDeadline with pushback", () => {
  it.effect("waits the pushback between rounds, and a stop ends the loop", () =>
    Effect.gen(function*() {
      const { attempt, log } = yield* scripted([ko("10 millis", "wait 400"), ko("10 millis", "stop"), ok("1 millis")])
      const strategy = Strategy.retryUntilDeadline(Strategy.single, { delays: noJitter("50 millis") })
      const fiber = yield* fork(Effect.exit(runFor(strategy, { timeout: "5 seconds", attempt })))
      yield* TestClock.adjust("420 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("stop"))
      assert.deepStrictEqual(yield* Ref.get(log), ["start 0 @0", "end 0 @10", "start 1 @410", "end 1 @420"])
    }))
})
