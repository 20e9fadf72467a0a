import * as kernel from "@aio-request/kernel/strategy/hedging"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Delays from "../../Delays.js"
import type * as Strategy from "../../Strategy.js"
import * as delays_ from "../delays.js"
import { currentTimeMillis } from "../line.js"
import * as validate from "../validate.js"
import type { Alarm, Event, Outcome } from "./attempt.js"
import type { Coordinator } from "./coordinator.js"
import { withPlain } from "./plain.js"
import { attemptsOption, type Body, make, type Result, type Then } from "./strategy.js"

/**
 * One hedged run: the kernel's bookkeeping (what to send and when), plus the
 * hedge's timer entry and the steps that send, schedule and react to events.
 * The coordinator owns the attempts themselves.
 */
class Hedged<A, E, R> extends kernel.Hedging<Outcome<A, E>> {
  /** The entry for the next hedge, while one is scheduled. */
  private hedge: Alarm | undefined = undefined
  private readonly run: Coordinator<A, E, R>
  private readonly then: Then<A, E, R>
  private readonly delays: Delays.Delays

  constructor(run: Coordinator<A, E, R>, then: Then<A, E, R>, attempts: number, delays: Delays.Delays) {
    super(attempts, currentTimeMillis(run.clock))
    this.run = run
    this.then = then
    this.delays = delays
  }

  // methods and argument closures, no class fields of arrow functions: those
  // cost a `__name` call each per run where the code runs through esbuild
  // with keepNames (tsx), and leave the closures slow to call

  /**
   * The next hedge is still to be planned: the attempt sent last had already
   * ended when it was sent, and its outcome comes first. An accepted one ends
   * the run with no hedge planned; otherwise the hedge is planned before the
   * run waits, asking `delays` as it would have (a rejection in between is a
   * kick, which the plan consumes by sending at once).
   */
  private unplanned = false

  /** Waits for the next event. */
  loop(): Result<A, E, R> {
    if (this.unplanned && !this.run.hasEvents()) {
      this.unplanned = false
      return this.plan(() => this.loop())
    }
    return this.run.next((event) => this.handle(event))
  }

  private handle(event: Event<A, E>): Result<A, E, R> {
    switch (event._tag) {
      case "Expired":
        this.cancelHedge()
        return Effect.flatMap(this.run.expire(), this.then)
      case "Timer":
        return event.alarm === this.hedge ? this.sendNext(() => this.loop()) : this.loop()
      case "Cut":
        return this.loop()
      case "Exit":
        if (event.attempt.done) return this.loop()
        return this.run.completed(
          event.attempt,
          event.exit,
          this.delays,
          (outcome) => outcome.verdict === "accept" ? this.accepted(outcome) : this.rejected(outcome)
        )
    }
  }

  private cancelHedge(): void {
    if (this.hedge !== undefined) {
      this.run.cancel(this.hedge)
      this.hedge = undefined
      this.run.extraAlarm = undefined
    }
  }

  /** Sends the next attempt now, arranges for the one after it, then goes on with `k`. */
  sendNext(k: () => Result<A, E, R>): Result<A, E, R> {
    this.cancelHedge()
    this.unplanned = false
    const run = this.run
    return run.admit((number) => {
      if (number === undefined) {
        this.refused()
        return k()
      }
      this.sent()
      return run.launch(number, "hedge", run.options.deadline, () => this.scheduleNext(k))
    })
  }

  /** The next attempt starts at its delay after the start (capped by the deadline), or at once on a rejection. */
  private scheduleNext(k: () => Result<A, E, R>): Result<A, E, R> {
    if (!this.hasNext()) return k()
    if (this.run.hasEvents()) {
      this.unplanned = true
      return k()
    }
    return this.plan(k)
  }

  private plan(k: () => Result<A, E, R>): Result<A, E, R> {
    const run = this.run
    return Effect.flatMap(this.delays.delay(this.index, run.key), (delay) => {
      const at = this.schedule(Duration.toMillis(delay), currentTimeMillis(run.clock), run.deadline)
      if (at === undefined) return this.sendNext(k)
      this.arm(at)
      return k()
    })
  }

  /** Schedules the next hedge at `at`. */
  private arm(at: number): void {
    const run = this.run
    const alarm: Alarm = run.schedule(at, () => run.push({ _tag: "Timer", alarm }))
    this.hedge = alarm
    run.extraAlarm = alarm
  }

  /**
   * After a rejection carrying a server's pushback: no more attempts
   * (`"stop"`; those in flight may still answer), or none before it has
   * passed: the pending hedge, which the rejection would start at once,
   * starts then instead, and the later ones as much later.
   */
  private pushedBack(pushback: number | "stop", after: () => Result<A, E, R>): Result<A, E, R> {
    if (pushback === "stop") {
      this.refused()
      this.cancelHedge()
      return after()
    }
    this.holdUntil(pushback, this.hedge?.at)
    if (this.hedge === undefined) {
      // none pending: the rejection starts the next one when it is arranged, not before `pushback`
      this.startsNext(false)
      return after()
    }
    this.cancelHedge()
    this.arm(pushback)
    return after()
  }

  /** The first accepted outcome wins: the others are interrupted, the first rejection freed. */
  private accepted(outcome: Outcome<A, E>): Result<A, E, R> {
    this.cancelHedge()
    this.unplanned = false
    const run = this.run
    const rejected = this.firstRejected
    if (run.inFlight.length === 0 && rejected === undefined) return this.then(outcome)
    return Effect.flatMap(run.interruptRest(), () => run.drop(rejected, () => this.then(outcome)))
  }

  /**
   * A plain run's attempt 0 (sent by `run`) was rejected at once: what
   * `scheduleNext` then the event of its exit would do.
   */
  rejectedAtOnce(outcome: Outcome<A, E>): Result<A, E, R> {
    this.sent()
    if (this.hasNext()) this.unplanned = true
    return this.rejected(outcome)
  }

  /** A plain run's attempt 0 (sent by `run`) is running: what `sendNext` does after launching it. */
  runningFirst(): Result<A, E, R> {
    this.sent()
    return this.scheduleNext(() => this.loop())
  }

  /** A rejection starts the next pending attempt at once; the first one is kept as the result-to-be. */
  private rejected(outcome: Outcome<A, E>): Result<A, E, R> {
    const run = this.run
    const keep = this.reject(outcome)
    const after = (): Result<A, E, R> => {
      if (this.settled(run.inFlight.length)) {
        this.cancelHedge()
        return this.then(this.firstRejected)
      }
      return this.loop()
    }
    const pushback = outcome.pushback
    const go = pushback === undefined || !this.holdsBack(pushback, currentTimeMillis(run.clock))
      ? () => this.startsNext(this.hedge !== undefined) ? this.sendNext(after) : after()
      : () => this.pushedBack(pushback, after)
    return keep ? go() : run.drop(outcome, go)
  }
}

/** @internal */
export const parallel = (options?: Strategy.Strategy.ParallelOptions): Strategy.Strategy => {
  const where = "Strategy.parallel"
  validate.optionsBag(where, options)
  const attempts = attemptsOption(where, options?.attempts)
  const delays = options?.delays === undefined ? delays_.linear() : delays_.check(where, "delays", options.delays)
  const body: Body = <A, E, R>(run: Coordinator<A, E, R>, then: Then<A, E, R>) => {
    run.observes(delays)
    const hedged = new Hedged(run, then, attempts, delays)
    return hedged.sendNext(() => hedged.loop())
  }
  // a Delays that observes latencies needs each attempt's start: no plain runs
  return make(
    `Strategy.parallel(${attempts})`,
    delays.observe !== undefined ? body : withPlain(body, {
      ended: (exit, options, makeRun) => {
        // accepted at once: the run's result, no hedge planned (as when its outcome comes first)
        const verdict = options.classify(exit)
        if (verdict === "accept") return exit
        const run = makeRun()
        run.adopted()
        return new Hedged(run, (outcome) => run.finish(outcome), attempts, delays).rejectedAtOnce({ exit, verdict })
      },
      running: (fiber, run) => {
        run.adopt(fiber)
        return new Hedged(run, (outcome) => run.finish(outcome), attempts, delays).runningFirst()
      }
    })
  )
}
