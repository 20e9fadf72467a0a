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
import * as MutableRef from "effect/MutableRef"
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
    return kernel.openMessage(this.scope, Duration.format(this.retryAfter))
  }
}

/** @internal */
export class CircuitBreaker extends Context.Service<CircuitBreaker, CB.CircuitBreaker.Service>()(
  "@aio-request/core/CircuitBreaker"
) {}

/**
 * Counts one transition, synchronously, in the step that makes it: it cannot
 * be lost to an interruption, and it is counted once whoever called. The
 * metric registry is the current fiber's (`Metric.MetricRegistry`).
 */
const countTransition = (change: CB.CircuitBreaker.StateChange): void => {
  const fiber = Fiber.getCurrent()
  if (fiber === undefined) return
  Metric.withAttributes(transitions, { scope: change.scope, from: change.from, to: change.to })
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
  readonly onSuccess: (value: any) => Effect.Effect<any, any>
  readonly onFailure: (cause: Cause.Cause<any>) => Effect.Effect<any, any>
}

/**
 * The breaker of one instance, in a `MutableRef` created by `make` (never
 * shared between instances). Every read and update of it is one synchronous
 * step (inside `Effect.withFiber` or `Effect.sync`), so it is atomic
 * with respect to every other fiber; circuits are updated in place, which
 * keeps `execute` on a closed scope to a few interpreter steps (a
 * `Ref.modify` would add two per call, see bench/circuitBreaker.ts).
 */
type Registry = kernel.Breaker

const validateOptions = (where: string, options: CB.CircuitBreaker.Options): kernel.Settings => {
  validate.record(where, "options", options)
  const breakDuration = validate.duration(where, "breakDuration", options.breakDuration, { positive: true })
  const samplingDuration = validate.duration(where, "samplingDuration", options.samplingDuration, { positive: true })
  const minimumThroughput = validate.integer(where, "minimumThroughput", options.minimumThroughput, 1)
  const failureThreshold = validate.between(where, "failureThreshold", options.failureThreshold, 0, 1, false)
  const windowsCount = validate.integer(where, "windowsCount", options.windowsCount ?? kernel.defaultWindowsCount, 1)
  const maxScopes = validate.integer(where, "maxScopes", options.maxScopes ?? kernel.defaultMaxScopes, 1)
  if (options.onStateChange !== undefined) validate.callable(where, "onStateChange", options.onStateChange)
  return {
    breakMillis: Duration.toMillis(breakDuration),
    bucketMillis: Duration.toMillis(samplingDuration) / windowsCount,
    windowsCount,
    minimumThroughput,
    failureThreshold,
    maxScopes
  }
}

/** @internal */
export const make = (options: CB.CircuitBreaker.Options): Effect.Effect<CB.CircuitBreaker.Service> =>
  makeAs("CircuitBreaker.make", options)

/** `make`, naming `where` (the public constructor called) in its option errors. */
const makeAs = (where: string, options: CB.CircuitBreaker.Options): Effect.Effect<CB.CircuitBreaker.Service> => {
  const settings = validateOptions(where, options)
  const onStateChange = options.onStateChange
  return Effect.map(
    Effect.all([
      Effect.sync(() => MutableRef.make<Registry>(new kernel.Breaker(settings))),
      PubSub.unbounded<CB.CircuitBreaker.StateChange>()
    ]),
    ([registry, pubsub]) => unsafeMakeService(registry, pubsub, onStateChange)
  )
}

const unsafeMakeService = (
  registry: MutableRef.MutableRef<Registry>,
  pubsub: PubSub.PubSub<CB.CircuitBreaker.StateChange>,
  onStateChange: ((change: CB.CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined
): CB.CircuitBreaker.Service => {
  const publish = (event: CB.CircuitBreaker.StateChange): Effect.Effect<void> => {
    const published = PubSub.publish(pubsub, event)
    return onStateChange === undefined
      ? Effect.asVoid(published)
      : Effect.andThen(
        published,
        Effect.catchCause(
          Effect.suspend(() => onStateChange(event)),
          (cause) => Effect.logWarning("CircuitBreaker: onStateChange failed", cause)
        )
      )
  }

  const classify = <A, E>(
    exit: Exit.Exit<A, E>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean
  ): boolean | "interrupted" => {
    if (Exit.isFailure(exit)) {
      // a defect always counts, whatever the classifier says
      if (Cause.hasDies(exit.cause)) return true
      if (Cause.hasInterruptsOnly(exit.cause)) return "interrupted"
    }
    try {
      return isFailure(exit)
    } catch {
      return true
    }
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
      const after = MutableRef.get(registry).complete(
        scope,
        ticket,
        classify(exit, isFailure),
        clock.currentTimeMillisUnsafe()
      )
      if (after === undefined) return exit
      countTransition(after)
      return Effect.andThen(publish(after), exit)
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

  /** Runs a call admitted by `ticket` and records its outcome, whatever happens to the caller. */
  const run = <A, E, R>(
    scope: string,
    ticket: kernel.RunTicket,
    effect: Effect.Effect<A, E, R>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean,
    clock: Clock.Clock
  ): Effect.Effect<A, E, R> => Effect.matchCauseEffect(effect, handlersFor(scope, ticket, isFailure, clock))

  const reject = (scope: string, retryAfter: number) =>
    Effect.fail(new CircuitBreakerOpenError({ scope, retryAfter: Duration.millis(retryAfter) }))

  /** The caller's Clock (a Reference: `getRef` reads the fiber's cached value). */
  const clockOf = (fiber: Fiber.Fiber<unknown, unknown>): Clock.Clock => fiber.getRef(Clock.Clock)

  // Closures on this path are written inline on purpose: `execute` is on every call's path.
  const execute = <A, E, R>(
    scope: string,
    effect: Effect.Effect<A, E, R>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean
  ): Effect.Effect<A, E | CircuitBreakerOpenError, R> =>
    Effect.withFiber((fiber) => {
      const clock = clockOf(fiber)
      const circuit = MutableRef.get(registry).circuits.get(scope)
      // fast path: a closed circuit needs no cleanup if the caller is interrupted
      if (circuit !== undefined && circuit.state === "closed") {
        return run(scope, circuit.closedTicket, effect, isFailure, clock)
      }
      if (circuit !== undefined && circuit.state === "open") {
        const retryAfter = kernel.breakLeft(circuit, clock.currentTimeMillisUnsafe())
        if (retryAfter > 0) return reject(scope, retryAfter)
      }
      // a new scope, or a probe may start: admit under a mask, so that an
      // interruption cannot come between the admission and its cleanup
      return Effect.uninterruptibleMask((restore) =>
        Effect.suspend((): Effect.Effect<A, E | CircuitBreakerOpenError, R> => {
          const ticket = MutableRef.get(registry).admit(scope, clock.currentTimeMillisUnsafe())
          if (ticket._tag === "Reject") return reject(scope, ticket.retryAfter)
          const guarded = run(scope, ticket, restore(effect), isFailure, clock)
          if (ticket.transition === undefined) return guarded
          countTransition(ticket.transition)
          return Effect.andThen(publish(ticket.transition), guarded)
        })
      )
    })

  return {
    execute,
    state: Effect.sync((): ReadonlyMap<string, CB.State> => MutableRef.get(registry).snapshot()),
    stateOf: (scope) => Effect.sync(() => MutableRef.get(registry).stateOf(scope)),
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
