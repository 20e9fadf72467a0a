import { BoundedLabels } from "@aio-request/kernel/boundedLabels"
import * as kernel from "@aio-request/kernel/breaker"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as MetricLabel from "effect/MetricLabel"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import type * as CB from "../CircuitBreaker.js"
import { transitions } from "./metrics.js"
import * as validate from "./validate.js"

/**
 * The Effect glue of the circuit breaker: options, the Clock read, running
 * the call, counting and publishing transitions. The state machine is the
 * kernel's `Breaker` (@aio-request/kernel/breaker).
 */

/** @internal */
export class CircuitBreakerOpenError extends Data.TaggedError("CircuitBreakerOpenError")<{
  readonly scope: string
  readonly retryAfter: Duration.Duration
}> {
  override get message() {
    return kernel.openMessage(this.scope, validate.formatDuration(this.retryAfter))
  }
}

/** @internal */
export class CircuitBreaker extends Context.Tag("@aio-request/core/CircuitBreaker")<
  CircuitBreaker,
  CB.CircuitBreaker.Service
>() {}

/**
 * Counts one transition, synchronously, in the step that makes it: it cannot
 * be lost to an interruption, and it is counted once whoever called. The
 * `scope` label is bounded per breaker (`maxScopeLabels`, then `"<other>"`):
 * the registry keeps every series it ever saw.
 */
const countTransition = (scopes: BoundedLabels, change: CB.CircuitBreaker.StateChange): void =>
  transitions.unsafeUpdate(1, [
    MetricLabel.make("scope", scopes.label(change.scope)),
    MetricLabel.make("from", change.from),
    MetricLabel.make("to", change.to)
  ])

/**
 * The continuation of the last call of a ticket, kept in its `cache` for the
 * next call with the same classifier and clock (usually every call of one
 * client): building it costs more than the call.
 */
interface Handlers {
  readonly isFailure: (exit: Exit.Exit<any, any>) => boolean
  readonly clock: Clock.Clock
  readonly onSuccess: (value: any) => Effect.Effect<any, any>
  readonly onFailure: (cause: Cause.Cause<any>) => Effect.Effect<any, any>
}

/** The option checks of this line, for the kernel's `settingsOf`. */
const checks: kernel.Checks<Duration.DurationInput> = {
  ...validate,
  positiveMillis: (where, option, value) =>
    Duration.toMillis(validate.duration(where, option, value, { positive: true }))
}

/** @internal */
export const make = (options: CB.CircuitBreaker.Options): Effect.Effect<CB.CircuitBreaker.Service> =>
  makeAs("CircuitBreaker.make", options)

/**
 * `make`, naming `where` (the public constructor called) in its option
 * errors. The breaker of one instance is the kernel's state machine, never
 * shared between instances; every read and update of it is one synchronous
 * step, atomic with respect to every other fiber (a `Ref.modify` would add
 * two steps per call, see bench/circuitBreaker.ts).
 */
const makeAs = (where: string, options: CB.CircuitBreaker.Options): Effect.Effect<CB.CircuitBreaker.Service> => {
  const settings = kernel.settingsOf(where, options, checks)
  return Effect.map(
    PubSub.unbounded<CB.CircuitBreaker.StateChange>(),
    (pubsub) =>
      unsafeMakeService(
        new kernel.Breaker(settings),
        new BoundedLabels(settings.maxScopeLabels),
        pubsub,
        options.onStateChange
      )
  )
}

/** How a call ended, as the kernel counts it. */
const outcomeOf = <A, E>(exit: Exit.Exit<A, E>, isFailure: (exit: Exit.Exit<A, E>) => boolean): kernel.Outcome =>
  Exit.isSuccess(exit)
    ? kernel.outcomeOf(false, false, exit, isFailure)
    : kernel.outcomeOf(Cause.isDie(exit.cause), Cause.isInterruptedOnly(exit.cause), exit, isFailure)

const unsafeMakeService = (
  breaker: kernel.Breaker,
  scopeLabels: BoundedLabels,
  pubsub: PubSub.PubSub<CB.CircuitBreaker.StateChange>,
  onStateChange: ((change: CB.CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined
): CB.CircuitBreaker.Service => {
  /** Counts `change` (synchronously, in the step that made it), then publishes it. */
  const transition = (change: CB.CircuitBreaker.StateChange): Effect.Effect<void> => {
    countTransition(scopeLabels, change)
    const published = PubSub.publish(pubsub, change)
    return onStateChange === undefined ? Effect.asVoid(published) : Effect.zipRight(
      published,
      Effect.catchAllCause(
        Effect.suspend(() => onStateChange(change)),
        (cause) => Effect.logWarning("CircuitBreaker: onStateChange failed", cause)
      )
    )
  }

  /**
   * What runs after a call admitted by `ticket`: records its outcome and
   * hands the exit on. One `matchCauseEffect` frame, no `Effect.exit` plus
   * `flatMap`; the outcome is recorded in the same step, so an interruption
   * of the caller right after cannot lose it.
   */
  const handlersFor = <A, E>(
    scope: string,
    ticket: kernel.RunTicket,
    isFailure: (exit: Exit.Exit<A, E>) => boolean,
    clock: Clock.Clock
  ): Handlers => {
    const cached = ticket.cache as Handlers | undefined
    if (cached !== undefined && cached.isFailure === isFailure && cached.clock === clock) return cached
    const settle = (exit: Exit.Exit<A, E>): Effect.Effect<A, E> => {
      const change = breaker.complete(scope, ticket, outcomeOf(exit, isFailure), clock.unsafeCurrentTimeMillis())
      return change === undefined ? exit : Effect.zipRight(transition(change), exit)
    }
    const handlers: Handlers = {
      isFailure,
      clock,
      onSuccess: (value: A) => settle(Exit.succeed(value)),
      onFailure: (cause: Cause.Cause<E>) => settle(Exit.failCause(cause))
    }
    ticket.cache = handlers
    return handlers
  }

  const reject = (scope: string, retryAfter: number) =>
    Effect.fail(new CircuitBreakerOpenError({ scope, retryAfter: Duration.millis(retryAfter) }))

  /**
   * The caller's Clock, looked up again only when the fiber's default services
   * change (they are one shared object across calls, except under another
   * Clock such as TestClock): a `Context` lookup costs as much as a step.
   */
  let lastServices: Context.Context<DefaultServices.DefaultServices> | undefined = undefined
  let lastClock: Clock.Clock | undefined = undefined
  const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): Clock.Clock => {
    const services = fiber.currentDefaultServices
    if (services !== lastServices || lastClock === undefined) {
      lastClock = Context.get(services, Clock.Clock)
      lastServices = services
    }
    return lastClock
  }

  // Closures on this path are written inline on purpose: `execute` is on every call's path.
  const execute = <A, E, R>(
    scope: string,
    effect: Effect.Effect<A, E, R>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean
  ): Effect.Effect<A, E | CircuitBreakerOpenError, R> =>
    Effect.withFiberRuntime((fiber) => {
      const clock = clockOf(fiber)
      const closed = breaker.closedTicket(scope)
      // fast path: a closed circuit needs no clock read now, nor cleanup if the caller is interrupted
      if (closed !== undefined) return Effect.matchCauseEffect(effect, handlersFor(scope, closed, isFailure, clock))
      const retryAfter = breaker.refusal(scope, clock.unsafeCurrentTimeMillis())
      if (retryAfter > 0) return reject(scope, retryAfter)
      // a new scope, or a probe may start: admit under a mask, so that an
      // interruption cannot come between the admission and its cleanup
      return Effect.uninterruptibleMask((restore) =>
        Effect.suspend((): Effect.Effect<A, E | CircuitBreakerOpenError, R> => {
          const ticket = breaker.admit(scope, clock.unsafeCurrentTimeMillis())
          if (ticket._tag === "Reject") return reject(scope, ticket.retryAfter)
          const guarded = Effect.matchCauseEffect(restore(effect), handlersFor(scope, ticket, isFailure, clock))
          return ticket.transition === undefined ? guarded : Effect.zipRight(transition(ticket.transition), guarded)
        })
      )
    })

  return {
    execute,
    state: Effect.sync((): ReadonlyMap<string, CB.State> => breaker.snapshot()),
    stateOf: (scope) => Effect.sync(() => breaker.stateOf(scope)),
    changes: Stream.fromPubSub(pubsub)
  }
}

/** @internal */
export const layer = (options: CB.CircuitBreaker.Options): Layer.Layer<CircuitBreaker> =>
  Layer.effect(CircuitBreaker, makeAs("CircuitBreaker.layer", options))

/** @internal */
export const layerConfig = (
  config: Config.Config.Wrap<CB.CircuitBreaker.ConfigOptions>,
  options?: { readonly onStateChange?: ((change: CB.CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined }
): Layer.Layer<CircuitBreaker, ConfigError.ConfigError> => {
  const where = "CircuitBreaker.layerConfig"
  validate.record(where, "config", config)
  // checked now, not when the config is read: a bad hook is a programming error, not a ConfigError
  validate.optionsBag(where, options)
  if (options?.onStateChange !== undefined) validate.callable(where, "onStateChange", options.onStateChange)
  return Layer.effect(
    CircuitBreaker,
    Effect.flatMap(Config.unwrap(config), (values) =>
      Effect.flatMap(
        Effect.try({
          try: () => makeAs(where, { ...values, onStateChange: options?.onStateChange }),
          catch: (error) => ConfigError.InvalidData([], error instanceof Error ? error.message : String(error))
        }),
        (service) => service
      ))
  )
}

/** @internal */
export const noopService: CB.CircuitBreaker.Service = {
  execute: (_scope, effect) => effect,
  state: Effect.sync(() => new Map<string, CB.State>()),
  stateOf: () => Effect.succeed("closed"),
  changes: Stream.empty
}

/** @internal */
export const noop: Layer.Layer<CircuitBreaker> = Layer.succeed(CircuitBreaker, noopService)
