import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as MutableRef from "effect/MutableRef"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import type * as CB from "../CircuitBreaker.js"
import { CircuitBreaker, CircuitBreakerOpenError } from "../CircuitBreaker.js"
import { RollingWindow } from "./rollingWindow.js"
import * as validate from "./validate.js"

/** @internal */
export const transitions = Metric.counter("aio_request_circuit_breaker_transitions", {
  description: "Circuit breaker state changes, counted by the breaker that made them",
  incremental: true
})

/**
 * Counts one transition, synchronously, in the step that makes it: it cannot
 * be lost to an interruption, and it is counted once whoever called.
 */
const countTransition = (change: CB.CircuitBreaker.StateChange): void =>
  transitions.unsafeUpdate(1, [
    MetricLabel.make("scope", change.scope),
    MetricLabel.make("from", change.from),
    MetricLabel.make("to", change.to)
  ])

/** @internal */
export const defaultMaxScopes = 10_000

/** @internal */
export const defaultWindowsCount = 10

/**
 * One scope's circuit. `window` counts successes and failures over the last
 * `windowsCount` buckets of `samplingDuration / windowsCount`.
 */
interface Circuit {
  state: CB.State
  /** Bumped on every transition: outcomes of calls admitted under another generation are dropped. */
  generation: number
  /** While open: the instant (Clock millis) from which one caller may probe. */
  openUntil: number
  readonly window: RollingWindow
  /** While closed: the ticket every call of this generation shares. */
  closedTicket: RunTicket
}

interface RunTicket {
  readonly _tag: "Run"
  readonly circuit: Circuit
  readonly generation: number
  readonly probe: boolean
  /** The transition this admission caused (open → half-open for a probe). */
  readonly transition: CB.CircuitBreaker.StateChange | undefined
  /**
   * The continuation of the last closed-path call, kept for the next call
   * with the same classifier and clock (usually every call of one client):
   * building it costs more than the call.
   */
  handlers: Handlers | undefined
}

interface Handlers {
  readonly isFailure: (exit: Exit.Exit<any, any>) => boolean
  readonly clock: Clock.Clock
  readonly onSuccess: (value: any) => Effect.Effect<any, any>
  readonly onFailure: (cause: Cause.Cause<any>) => Effect.Effect<any, any>
}

/** What `admit` decided for one call. */
type Ticket = RunTicket | { readonly _tag: "Reject"; readonly retryAfter: number }

const closedTicket = (circuit: Circuit): RunTicket => ({
  _tag: "Run",
  circuit,
  generation: circuit.generation,
  probe: false,
  transition: undefined,
  handlers: undefined
})

const SUCCESSES = 0
const FAILURES = 1

/**
 * The registry of circuits, one per scope, in a `MutableRef` created by `make`
 * (never shared between instances). Every read and update of it is one
 * synchronous step (inside `Effect.withFiberRuntime` or `Effect.sync`), so it
 * is atomic with respect to every other fiber; circuits are updated in place,
 * which keeps `execute` on a closed scope to a few interpreter steps (a
 * `Ref.modify` would add two per call, see bench/circuitBreaker.ts).
 */
type Registry = Map<string, Circuit>

interface Settings {
  readonly breakMillis: number
  readonly bucketMillis: number
  readonly windowsCount: number
  readonly minimumThroughput: number
  readonly failureThreshold: number
  readonly maxScopes: number
}

const validateOptions = (where: string, options: CB.CircuitBreaker.Options): Settings => {
  validate.record(where, "options", options)
  const breakDuration = validate.duration(where, "breakDuration", options.breakDuration, { positive: true })
  const samplingDuration = validate.duration(where, "samplingDuration", options.samplingDuration, { positive: true })
  const minimumThroughput = validate.integer(where, "minimumThroughput", options.minimumThroughput, 1)
  const failureThreshold = validate.between(where, "failureThreshold", options.failureThreshold, 0, 1, false)
  const windowsCount = validate.integer(where, "windowsCount", options.windowsCount ?? defaultWindowsCount, 1)
  const maxScopes = validate.integer(where, "maxScopes", options.maxScopes ?? defaultMaxScopes, 1)
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
      Effect.sync(() => MutableRef.make<Registry>(new Map())),
      PubSub.unbounded<CB.CircuitBreaker.StateChange>()
    ]),
    ([registry, pubsub]) => unsafeMakeService(settings, registry, pubsub, onStateChange)
  )
}

const unsafeMakeService = (
  settings: Settings,
  registry: MutableRef.MutableRef<Registry>,
  pubsub: PubSub.PubSub<CB.CircuitBreaker.StateChange>,
  onStateChange: ((change: CB.CircuitBreaker.StateChange) => Effect.Effect<void>) | undefined
): CB.CircuitBreaker.Service => {
  const { breakMillis, bucketMillis, failureThreshold, maxScopes, minimumThroughput, windowsCount } = settings
  const evictTo = Math.max(0, Math.min(maxScopes - 1, Math.floor(maxScopes * 0.9)))

  /** Whether a closed circuit saw no outcome in its current window. */
  const isIdle = (circuit: Circuit, now: number): boolean => {
    return circuit.state === "closed" && circuit.window.isEmpty(now)
  }

  /**
   * Called when a new scope would exceed `maxScopes`: drops idle closed
   * circuits, then closed ones, then any, oldest first, down to 90% of the bound.
   */
  const evict = (map: Registry, now: number): void => {
    for (const [scope, circuit] of map) {
      if (map.size <= evictTo) return
      if (isIdle(circuit, now)) map.delete(scope)
    }
    for (const [scope, circuit] of map) {
      if (map.size <= evictTo) return
      if (circuit.state === "closed") map.delete(scope)
    }
    for (const scope of map.keys()) {
      if (map.size <= evictTo) return
      map.delete(scope)
    }
  }

  /** A transition the breaker makes now: counted here, published by the caller. */
  const change = (scope: string, from: CB.State, to: CB.State): CB.CircuitBreaker.StateChange => {
    const event: CB.CircuitBreaker.StateChange = { scope, from, to }
    countTransition(event)
    return event
  }

  const publish = (event: CB.CircuitBreaker.StateChange): Effect.Effect<void> => {
    const published = PubSub.publish(pubsub, event)
    return onStateChange === undefined
      ? Effect.asVoid(published)
      : Effect.zipRight(
        published,
        Effect.catchAllCause(
          Effect.suspend(() => onStateChange(event)),
          (cause) => Effect.logWarning("CircuitBreaker: onStateChange failed", cause)
        )
      )
  }

  /** Decides whether a call may run; an expired break admits exactly one probe. */
  const admit = (map: Registry, scope: string, now: number): Ticket => {
    let circuit = map.get(scope)
    if (circuit === undefined) {
      if (map.size >= maxScopes) evict(map, now)
      circuit = {
        state: "closed",
        generation: 0,
        openUntil: 0,
        window: new RollingWindow(windowsCount, bucketMillis),
        closedTicket: undefined as unknown as RunTicket
      }
      circuit.closedTicket = closedTicket(circuit)
      map.set(scope, circuit)
    }
    switch (circuit.state) {
      case "closed":
        return circuit.closedTicket
      case "open": {
        if (now < circuit.openUntil) return { _tag: "Reject", retryAfter: circuit.openUntil - now }
        circuit.state = "half-open"
        circuit.generation++
        return {
          _tag: "Run",
          circuit,
          generation: circuit.generation,
          probe: true,
          transition: change(scope, "open", "half-open"),
          handlers: undefined
        }
      }
      case "half-open":
        // the probe's verdict is unknown: the break is the earliest a new probe could follow a failed one
        return { _tag: "Reject", retryAfter: breakMillis }
    }
  }

  const open = (circuit: Circuit, until: number): void => {
    circuit.state = "open"
    circuit.generation++
    circuit.openUntil = until
  }

  /** Records the outcome of a call admitted by `ticket`; returns the transition it caused, if any. */
  const complete = (
    map: Registry,
    scope: string,
    ticket: RunTicket,
    failed: boolean | "interrupted",
    now: number
  ): CB.CircuitBreaker.StateChange | undefined => {
    const circuit = ticket.circuit
    // evicted meanwhile, or a transition happened since the call was admitted
    if (map.get(scope) !== circuit || circuit.generation !== ticket.generation) return undefined
    if (ticket.probe) {
      if (failed === "interrupted") {
        // nobody knows: the next caller probes at once
        open(circuit, now)
        return change(scope, "half-open", "open")
      }
      if (failed) {
        open(circuit, now + breakMillis)
        return change(scope, "half-open", "open")
      }
      circuit.state = "closed"
      circuit.generation++
      circuit.closedTicket = closedTicket(circuit)
      circuit.window.clear()
      return change(scope, "half-open", "closed")
    }
    if (failed === "interrupted") return undefined
    const window = circuit.window
    if (!failed) {
      window.add(now, SUCCESSES)
      return undefined
    }
    window.add(now, FAILURES)
    // *(seed, as Polly)* only a failure can open the circuit
    const failures = window.sum(now, FAILURES)
    const total = failures + window.sum(now, SUCCESSES)
    if (total >= minimumThroughput && failures / total >= failureThreshold) {
      open(circuit, now + breakMillis)
      return change(scope, "closed", "open")
    }
    return undefined
  }

  const classify = <A, E>(
    exit: Exit.Exit<A, E>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean
  ): boolean | "interrupted" => {
    if (Exit.isFailure(exit)) {
      // a defect always counts, whatever the classifier says
      if (Cause.isDie(exit.cause)) return true
      if (Cause.isInterruptedOnly(exit.cause)) return "interrupted"
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
    ticket: RunTicket,
    isFailure: (exit: Exit.Exit<A, E>) => boolean,
    clock: Clock.Clock
  ): Handlers => {
    const cached = ticket.handlers
    if (cached !== undefined && cached.isFailure === isFailure && cached.clock === clock) return cached
    const settle = (exit: Exit.Exit<A, E>): Effect.Effect<A, E> => {
      const after = complete(
        MutableRef.get(registry),
        scope,
        ticket,
        classify(exit, isFailure),
        clock.unsafeCurrentTimeMillis()
      )
      return after === undefined ? exit : Effect.zipRight(publish(after), exit)
    }
    const handlers: Handlers = {
      isFailure,
      clock,
      onSuccess: (value: A) => settle(Exit.succeed(value)),
      onFailure: (cause: Cause.Cause<E>) => settle(Exit.failCause(cause))
    }
    ticket.handlers = handlers
    return handlers
  }

  /** Runs a call admitted by `ticket` and records its outcome, whatever happens to the caller. */
  const run = <A, E, R>(
    scope: string,
    ticket: RunTicket,
    effect: Effect.Effect<A, E, R>,
    isFailure: (exit: Exit.Exit<A, E>) => boolean,
    clock: Clock.Clock
  ): Effect.Effect<A, E, R> => Effect.matchCauseEffect(effect, handlersFor(scope, ticket, isFailure, clock))

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
      const map = MutableRef.get(registry)
      const circuit = map.get(scope)
      // fast path: a closed circuit needs no cleanup if the caller is interrupted
      if (circuit !== undefined && circuit.state === "closed") {
        return run(scope, circuit.closedTicket, effect, isFailure, clock)
      }
      if (circuit !== undefined && circuit.state === "open") {
        const now = clock.unsafeCurrentTimeMillis()
        if (now < circuit.openUntil) return reject(scope, circuit.openUntil - now)
      }
      // a new scope, or a probe may start: admit under a mask, so that an
      // interruption cannot come between the admission and its cleanup
      return Effect.uninterruptibleMask((restore) =>
        Effect.suspend((): Effect.Effect<A, E | CircuitBreakerOpenError, R> => {
          const ticket = admit(MutableRef.get(registry), scope, clock.unsafeCurrentTimeMillis())
          if (ticket._tag === "Reject") return reject(scope, ticket.retryAfter)
          const guarded = run(scope, ticket, restore(effect), isFailure, clock)
          return ticket.transition === undefined ? guarded : Effect.zipRight(publish(ticket.transition), guarded)
        })
      )
    })

  return {
    execute,
    state: Effect.sync(() => {
      const snapshot = new Map<string, CB.State>()
      for (const [scope, circuit] of MutableRef.get(registry)) snapshot.set(scope, circuit.state)
      return snapshot as ReadonlyMap<string, CB.State>
    }),
    stateOf: (scope) => Effect.sync(() => MutableRef.get(registry).get(scope)?.state ?? "closed"),
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
