import { BoundedLabels } from "@aio-request/kernel/boundedLabels"
import * as kernel from "@aio-request/kernel/breaker"
import type * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import type * as CB from "../CircuitBreaker.js"
import * as line from "./line.js"
import { transitions } from "./metrics.js"
import * as validate from "./validate.js"

/**
 * The Effect glue of the circuit breaker, written once for both lines: options,
 * the Clock read, running the call, counting and publishing transitions. The
 * state machine is the kernel's `Breaker` (@aio-request/kernel/breaker); what
 * differs between the lines (how the caller's Clock is found, the frame that
 * sees the call's exit) is in ./line.ts.
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
export class CircuitBreaker extends line.Service<CircuitBreaker, CB.CircuitBreaker.Service>()(
  "@aio-request/core/CircuitBreaker"
) {}

/**
 * Counts one transition, synchronously, in the step that makes it: it cannot
 * be lost to an interruption, and it is counted once whoever called. The
 * `scope` label is bounded per breaker (`maxScopeLabels`, then `"<other>"`):
 * the registry keeps every series it ever saw.
 */
const countTransition = (scopes: BoundedLabels, change: CB.CircuitBreaker.StateChange): void =>
  line.incrementUnsafe(transitions, { scope: scopes.label(change.scope), from: change.from, to: change.to })

/**
 * The continuation of the last call of a ticket, kept in its `cache` for the
 * next call with the same classifier and clock (usually every call of one
 * client): building it costs more than the call.
 */
interface Handlers {
  readonly isFailure: (exit: Exit.Exit<any, any>) => boolean
  readonly clock: unknown
  readonly guard: line.ExitGuard
}

/** The option checks of this line, for the kernel's `settingsOf`. */
const checks: kernel.Checks<line.DurationInput> = {
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
 * two steps per call).
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
    : kernel.outcomeOf(line.hasDies(exit.cause), line.hasInterruptsOnly(exit.cause), exit, isFailure)

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
      line.catchCause(
        Effect.suspend(() => onStateChange(change)),
        (cause) => Effect.logWarning("CircuitBreaker: onStateChange failed", cause)
      )
    )
  }

  /**
   * What runs after a call admitted by `ticket`: records its outcome as the
   * call's exit passes through (`line.guardExit`: one frame); the outcome is
   * recorded in the step the call ends, so an interruption of the caller
   * right after cannot lose it. A probe's guard, admitted under a mask, always
   * runs; an interrupted call counts as nothing.
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
      guard: line.exitGuard((exit: Exit.Exit<A, E>) => {
        const change = breaker.complete(scope, ticket, outcomeOf(exit, isFailure), line.currentTimeMillis(clock))
        return change === undefined ? undefined : transition(change)
      })
    }
    ticket.cache = handlers
    return handlers
  }

  const reject = (scope: string, retryAfter: number) =>
    Effect.fail(new CircuitBreakerOpenError({ scope, retryAfter: Duration.millis(retryAfter) }))

  /** The caller's Clock, kept between calls (`line.callerClock`). */
  const clockCache: line.ClockCache = { from: undefined, clock: undefined }

  // Closures on this path are written inline on purpose: `execute` is on every call's path.
  const execute = <A, E, R>(
    scope: string,
    effect: Effect.Effect<A, E, R>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean
  ): Effect.Effect<A, E | CircuitBreakerOpenError, R> =>
    line.withFiber((fiber) => {
      const clock = line.callerClock(clockCache, fiber)
      const closed = breaker.closedTicket(scope)
      // fast path: a closed circuit needs no clock read now, nor cleanup if the caller is interrupted
      if (closed !== undefined) return line.guardExit(effect, handlersFor(scope, closed, isFailure, clock).guard)
      const retryAfter = breaker.refusal(scope, line.currentTimeMillis(clock))
      if (retryAfter > 0) return reject(scope, retryAfter)
      // a new scope, or a probe may start: admit under a mask, so that an
      // interruption cannot come between the admission and its cleanup
      return Effect.uninterruptibleMask((restore) =>
        Effect.suspend((): Effect.Effect<A, E | CircuitBreakerOpenError, R> => {
          const ticket = breaker.admit(scope, line.currentTimeMillis(clock))
          if (ticket._tag === "Reject") return reject(scope, ticket.retryAfter)
          const guarded = line.guardExit(restore(effect), handlersFor(scope, ticket, isFailure, clock).guard)
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
  config: line.ConfigWrap<CB.CircuitBreaker.ConfigOptions>,
  options?: { readonly onStateChange?: ((change: CB.CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined }
): Layer.Layer<CircuitBreaker, line.ConfigError> => {
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
          catch: (error) => line.configError(error instanceof Error ? error.message : String(error))
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
