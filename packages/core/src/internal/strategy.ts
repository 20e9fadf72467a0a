import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Queue from "effect/Queue"
import type * as Deadline from "../Deadline.js"
import type * as Delays from "../Delays.js"
import { RetryBudget } from "../RetryBudget.js"
import type * as Strategy from "../Strategy.js"
import * as deadline_ from "./deadline.js"
import * as delays_ from "./delays.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: typeof Strategy.TypeId = Symbol.for("@aio-request/core/Strategy") as typeof Strategy.TypeId

/** One attempt's outcome and the classifier's verdict on it. */
interface Outcome<A, E> {
  readonly exit: Exit.Exit<A, E | deadline_.DeadlineExceededError>
  readonly verdict: Strategy.Verdict
}

/** What one `Strategy.run` shares between the strategies it nests. */
interface Run<A, E, R> {
  readonly options: Strategy.RunOptions<A, E, R>
  readonly key: string
  readonly budget: RetryBudget.Service
  /** Numbers the attempts of the whole run from 0 (local to one run). */
  attempts: number
}

type Body = <A, E, R>(run: Run<A, E, R>) => Effect.Effect<Option.Option<Outcome<A, E>>, never, R>

interface StrategyImpl extends Strategy.Strategy {
  readonly body: Body
}

const StrategyProto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  }
}

const make = (description: string, body: Body): Strategy.Strategy => {
  const self = Object.create(StrategyProto) as { body: Body; toString: () => string }
  self.body = body
  self.toString = () => description
  return self as unknown as StrategyImpl
}

/** @internal */
export const isStrategy = (u: unknown): u is Strategy.Strategy => typeof u === "object" && u !== null && TypeId in u

const bodyOf = (strategy: Strategy.Strategy): Body => (strategy as StrategyImpl).body

/**
 * Takes the next attempt number. The first attempt of a run deposits into the
 * retry budget; every later one must withdraw, and is not sent when it cannot.
 */
const admit = <A, E, R>(run: Run<A, E, R>): Effect.Effect<Option.Option<number>> =>
  Effect.suspend(() => {
    const n = run.attempts++
    return n === 0
      ? Effect.as(run.budget.deposit, Option.some(0))
      : Effect.map(run.budget.tryWithdraw, (ok) => ok ? Option.some(n) : Option.none())
  })

/**
 * Runs attempt `number` with its attempt deadline in `CurrentDeadline`, cut at
 * that deadline, and classifies the outcome. Accepted latencies feed `delays`.
 */
const attempt = <A, E, R>(
  run: Run<A, E, R>,
  number: number,
  kind: Strategy.AttemptKind,
  deadline: Deadline.Deadline,
  delays: Delays.Delays | undefined
): Effect.Effect<Outcome<A, E>, never, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const effect = Effect.provideService(
      run.options.attempt({ attempt: number, kind: number === 0 ? "first" : kind, deadline }),
      deadline_.CurrentDeadline,
      Option.some(deadline)
    )
    // an attempt deadline no earlier than the run's is enforced by the run's own cut
    const exit = yield* Effect.exit(
      deadline.epochMillis < run.options.deadline.epochMillis
        ? deadline_.cutAt(effect, deadline, { disconnect: false })
        : effect
    )
    const verdict = run.options.classify(exit)
    if (verdict === "accept" && delays?.observe !== undefined) {
      const end = yield* Clock.currentTimeMillis
      yield* delays.observe(run.key, Duration.millis(end - start))
    }
    return { exit, verdict }
  })

const attemptsOption = (where: string, attempts: number | undefined) =>
  validate.integer(where, "attempts", attempts ?? 3, 1)

const strategyOption = (where: string, option: string, value: Strategy.Strategy): Strategy.Strategy =>
  isStrategy(value) ? value : validate.fail(where, option, "a Strategy", value)

/** @internal */
export const single: Strategy.Strategy = make(
  "Strategy.single",
  (run) =>
    Effect.flatMap(admit(run), (number) =>
      Option.isNone(number)
        ? Effect.succeedNone
        : Effect.asSome(attempt(run, number.value, "retry", run.options.deadline, undefined)))
)

/** @internal */
export const sequential = (options?: Strategy.Strategy.SequentialOptions): Strategy.Strategy => {
  const where = "Strategy.sequential"
  validate.optionsBag(where, options)
  const attempts = attemptsOption(where, options?.attempts)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const attemptDeadline = options?.attemptDeadline === undefined
    ? deadline_.passThrough
    : validate.callable(where, "attemptDeadline", options.attemptDeadline)
  return make(`Strategy.sequential(${attempts})`, <A, E, R>(run: Run<A, E, R>) => {
    const loop = (
      i: number,
      last: Option.Option<Outcome<A, E>>
    ): Effect.Effect<Option.Option<Outcome<A, E>>, never, R> =>
      Effect.gen(function*() {
        if (i >= attempts) return last
        let wait = Duration.zero
        if (i > 0) {
          wait = yield* delays.delay(i, run.key)
          const remaining = yield* deadline_.remaining(run.options.deadline)
          // *(seed)* no time left for the wait: the last outcome stands
          if (Duration.lessThan(remaining, wait)) return last
        }
        // the budget is asked before the wait: a refused retry must not delay the answer
        const number = yield* admit(run)
        if (Option.isNone(number)) return last
        if (i > 0) yield* Effect.sleep(wait)
        const deadline = yield* attemptDeadline({ deadline: run.options.deadline, attempt: i, attempts })
        const outcome = yield* attempt(run, number.value, "retry", deadline, delays)
        return outcome.verdict === "accept" ? Option.some(outcome) : yield* loop(i + 1, Option.some(outcome))
      })
    return loop(0, Option.none())
  })
}

/** @internal */
export const parallel = (options?: Strategy.Strategy.ParallelOptions): Strategy.Strategy => {
  const where = "Strategy.parallel"
  validate.optionsBag(where, options)
  const attempts = attemptsOption(where, options?.attempts)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  return make(`Strategy.parallel(${attempts})`, <A, E, R>(run: Run<A, E, R>) =>
    Effect.scoped(Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      // every attempt reports exactly once: its outcome, or none when it was not sent
      const outcomes = yield* Queue.unbounded<Option.Option<Outcome<A, E>>>()
      // every rejection starts the next pending attempt at once
      const kicks = yield* Queue.unbounded<void>()
      const launch = (number: number) =>
        attempt(run, number, "hedge", run.options.deadline, delays).pipe(
          Effect.flatMap((outcome) => Queue.offer(outcomes, Option.some(outcome))),
          Effect.forkScoped
        )
      const launcher = Effect.gen(function*() {
        for (let i = 0; i < attempts; i++) {
          if (i > 0) {
            const at = start + Duration.toMillis(yield* delays.delay(i, run.key))
            const now = yield* Clock.currentTimeMillis
            const wait = Math.min(at, run.options.deadline.epochMillis) - now
            if (wait > 0) yield* Effect.race(Effect.sleep(Duration.millis(wait)), Queue.take(kicks))
          }
          const number = yield* admit(run)
          if (Option.isNone(number)) {
            yield* Queue.offerAll(outcomes, Array.from({ length: attempts - i }, () => Option.none()))
            return
          }
          yield* launch(number.value)
        }
      })
      yield* Effect.forkScoped(launcher)
      let firstRejected: Option.Option<Outcome<A, E>> = Option.none()
      for (let received = 0; received < attempts; received++) {
        const outcome = yield* Queue.take(outcomes)
        if (Option.isNone(outcome)) continue
        if (outcome.value.verdict === "accept") return outcome
        if (Option.isNone(firstRejected)) firstRejected = outcome
        yield* Queue.offer(kicks, undefined)
      }
      return firstRejected
    })))
}

/** @internal */
export const retryUntilDeadline = dual<
  (options?: Strategy.Strategy.RetryUntilDeadlineOptions) => (base: Strategy.Strategy) => Strategy.Strategy,
  (base: Strategy.Strategy, options?: Strategy.Strategy.RetryUntilDeadlineOptions) => Strategy.Strategy
>((args) => args.length === 2 || isStrategy(args[0]), (base, options) => {
  const where = "Strategy.retryUntilDeadline"
  strategyOption(where, "base", base)
  validate.optionsBag(where, options)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const inner = bodyOf(base)
  return make(`Strategy.retryUntilDeadline(${String(base)})`, <A, E, R>(run: Run<A, E, R>) => {
    const loop = (
      round: number,
      last: Option.Option<Outcome<A, E>>
    ): Effect.Effect<Option.Option<Outcome<A, E>>, never, R> =>
      Effect.flatMap(inner(run), (outcome) => {
        // the budget refused even the first attempt of this round: stop here
        if (Option.isNone(outcome)) return Effect.succeed(last)
        if (outcome.value.verdict === "accept") return Effect.succeed(outcome)
        return delays.delay(round, run.key).pipe(
          Effect.flatMap(Effect.sleep),
          Effect.zipRight(Effect.suspend(() => loop(round + 1, outcome)))
        )
      })
    // the run's deadline ends the loop with DeadlineExceededError
    return loop(1, Option.none())
  })
})

/** @internal */
export const byMethod = (
  strategies: Readonly<Record<string, Strategy.Strategy>>,
  fallback: Strategy.Strategy = single
): Strategy.Strategy => {
  const where = "Strategy.byMethod"
  validate.record(where, "strategies", strategies)
  const table = new Map<string, Body>()
  for (const [method, strategy] of Object.entries(strategies)) {
    table.set(method.toUpperCase(), bodyOf(strategyOption(where, method, strategy)))
  }
  const otherwise = bodyOf(strategyOption(where, "fallback", fallback))
  return make(
    `Strategy.byMethod(${[...table.keys()].join(", ")})`,
    (run) => (table.get(run.options.method?.toUpperCase() ?? "") ?? otherwise)(run)
  )
}

/** @internal */
export const defaultStrategy: Strategy.Strategy = byMethod(
  { GET: sequential(), HEAD: sequential(), OPTIONS: sequential() },
  single
)

/** @internal */
export const run = dual<
  <A, E, R>(
    options: Strategy.RunOptions<A, E, R>
  ) => (self: Strategy.Strategy) => Effect.Effect<A, E | deadline_.DeadlineExceededError, R>,
  <A, E, R>(
    self: Strategy.Strategy,
    options: Strategy.RunOptions<A, E, R>
  ) => Effect.Effect<A, E | deadline_.DeadlineExceededError, R>
>(
  2,
  <A, E, R>(self: Strategy.Strategy, options: Strategy.RunOptions<A, E, R>) =>
    Effect.flatMap(RetryBudget, (budget) => {
      const state: Run<A, E, R> = { options, key: options.key ?? "", budget, attempts: 0 }
      return Effect.flatMap(
        deadline_.cutAt(bodyOf(self)(state), options.deadline, { disconnect: true }),
        (outcome): Effect.Effect<A, E | deadline_.DeadlineExceededError> =>
          Option.isNone(outcome)
            ? Effect.fail(new deadline_.DeadlineExceededError({ reason: "expired" }))
            : outcome.value.exit
      )
    })
)

/** @internal */
export class CurrentStrategy extends Context.Reference<CurrentStrategy>()("@aio-request/core/CurrentStrategy", {
  defaultValue: () => Option.none<Strategy.Strategy>()
}) {}

/** @internal */
export const withStrategy = dual<
  (strategy: Strategy.Strategy) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, strategy: Strategy.Strategy) => Effect.Effect<A, E, R>
>(2, (self, strategy) =>
  Effect.provideService(
    self,
    CurrentStrategy,
    Option.some(strategyOption("Strategy.withStrategy", "strategy", strategy))
  ))
