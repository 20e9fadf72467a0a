import { BoundedLabels } from "@aio-request/kernel/boundedLabels"
import * as kernel from "@aio-request/kernel/breaker"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
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
export class CircuitBreaker extends Context.Service<CircuitBreaker, CB.CircuitBreaker.Service>()(
  "@aio-request/core/CircuitBreaker"
) {}

/**
 * Counts one transition, synchronously, in the step that makes it: it cannot
 * be lost to an interruption, and it is counted once whoever called. The
 * metric registry is the current fiber's (`Metric.MetricRegistry`). The
 * `scope` label is bounded per breaker (`maxScopeLabels`, then `"<other>"`).
 */
const countTransition = (scopes: BoundedLabels, change: CB.CircuitBreaker.StateChange): void => {
  const fiber = Fiber.getCurrent()
  if (fiber === undefined) return
  Metric.withAttributes(transitions, { scope: scopes.label(change.scope), from: change.from, to: change.to })
    .updateUnsafe(1, fiber.context)
}

/**
 * The continuation of the last call of a ticket, kept in its `cache` for the
 * next call with the same classifier and clock (usually every call of one
 * client): building it costs more than the call.
 */
interface Handlers {
  readonly isFailure: (exit: Exit.Exit<any, any>) => boolean
  readonly clock: Clock.Clock
  readonly settle: (exit: Exit.Exit<any, any>) => Effect.Effect<void> | undefined
}

/** The option checks of this line, for the kernel's `settingsOf`. */
const checks: kernel.Checks<Duration.Input> = {
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
 * step, atomic with respect to every other fiber.
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

/** How a call of `isFailure`'s classifier ended, as the kernel counts it. */
const outcomeOf = <A, E>(exit: Exit.Exit<A, E>, isFailure: (exit: Exit.Exit<A, E>) => boolean): kernel.Outcome =>
  Exit.isSuccess(exit)
    ? kernel.outcomeOf(false, false, exit, isFailure)
    : kernel.outcomeOf(Cause.hasDies(exit.cause), Cause.hasInterruptsOnly(exit.cause), exit, isFailure)

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
    return onStateChange === undefined ? Effect.asVoid(published) : Effect.andThen(
      published,
      Effect.catchCause(
        Effect.suspend(() => onStateChange(change)),
        (cause) => Effect.logWarning("CircuitBreaker: onStateChange failed", cause)
      )
    )
  }

  /**
   * What runs after a call admitted by `ticket`: records its outcome as the
   * call's exit passes through (`Effect.onExitPrimitive`, one frame, no step
   * of its own unless a transition is published); the outcome is recorded in
   * that same step, so an interruption of the caller right after cannot lose
   * it. Interruptible as the caller is (`true`): an interruption of an
   * interruptible caller skips it, as it would a `matchCauseEffect` handler
   * (an interrupted call counts as nothing); a probe's, admitted under a
   * mask, is always recorded.
   */
  const handlersFor = <A, E>(
    scope: string,
    ticket: kernel.RunTicket,
    isFailure: (exit: Exit.Exit<A, E>) => boolean,
    clock: Clock.Clock
  ): Handlers => {
    const cached = ticket.cache as Handlers | undefined
    if (cached !== undefined && cached.isFailure === isFailure && cached.clock === clock) return cached
    const handlers: Handlers = {
      isFailure,
      clock,
      settle: (exit: Exit.Exit<A, E>) => {
        const change = breaker.complete(scope, ticket, outcomeOf(exit, isFailure), clock.currentTimeMillisUnsafe())
        return change === undefined ? undefined : transition(change)
      }
    }
    ticket.cache = handlers
    return handlers
  }

  const reject = (scope: string, retryAfter: number) =>
    Effect.fail(new CircuitBreakerOpenError({ scope, retryAfter: Duration.millis(retryAfter) }))

  // Closures on this path are written inline on purpose: `execute` is on every call's path.
  const execute = <A, E, R>(
    scope: string,
    effect: Effect.Effect<A, E, R>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean
  ): Effect.Effect<A, E | CircuitBreakerOpenError, R> =>
    Effect.withFiber((fiber) => {
      // the caller's Clock (a Reference: `getRef` reads the fiber's cached value)
      const clock = fiber.getRef(Clock.Clock)
      const closed = breaker.closedTicket(scope)
      // fast path: a closed circuit needs no clock read now, nor cleanup if the caller is interrupted
      if (closed !== undefined) {
        return Effect.onExitPrimitive(effect, handlersFor(scope, closed, isFailure, clock).settle, true)
      }
      const retryAfter = breaker.refusal(scope, clock.currentTimeMillisUnsafe())
      if (retryAfter > 0) {
        return reject(scope, retryAfter)
      }
      // a new scope, or a probe may start: admit under a mask, so that an
      // interruption cannot come between the admission and its cleanup
      return Effect.uninterruptibleMask((restore) =>
        Effect.suspend((): Effect.Effect<A, E | CircuitBreakerOpenError, R> => {
          const ticket = breaker.admit(scope, clock.currentTimeMillisUnsafe())
          if (ticket._tag === "Reject") return reject(scope, ticket.retryAfter)
          const guarded = Effect.onExitPrimitive(
            restore(effect),
            handlersFor(scope, ticket, isFailure, clock).settle,
            true
          )
          return ticket.transition === undefined ? guarded : Effect.andThen(transition(ticket.transition), guarded)
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
  config: Config.Wrap<CB.CircuitBreaker.ConfigOptions>,
  options?: { readonly onStateChange?: ((change: CB.CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined }
): Layer.Layer<CircuitBreaker, Config.ConfigError> => {
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
          catch: (error) =>
            new Config.ConfigError(
              new ConfigProvider.SourceError({ message: error instanceof Error ? error.message : String(error) })
            )
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
