/**
 * The circuit breaker's state machine (Python aio-request's
 * `DefaultCircuitBreaker`), one circuit per scope: a rolling window of
 * outcomes opens a closed circuit when enough of them fail; an open circuit
 * refuses calls until its break is over; then exactly one probe (half-open)
 * decides between closing and opening again.
 *
 * Plain mutable state driven with `now` in milliseconds: the glue creates one
 * `Breaker` per instance, reads the clock, runs the calls, counts and
 * publishes the transitions this module returns. Every method is one
 * synchronous step over the state.
 */
import { RollingWindow } from "./rollingWindow.js"

/** A circuit's state. */
export type State = "closed" | "open" | "half-open"

/** One transition of one scope. */
export interface StateChange {
  readonly scope: string
  readonly from: State
  readonly to: State
}

/** The breaker's settings, already checked, in milliseconds. */
export interface Settings {
  /** How long a circuit stays open before one probe is let through. */
  readonly breakMillis: number
  /** The span of one bucket of the rolling window (the window is `windowsCount` of them). */
  readonly bucketMillis: number
  readonly windowsCount: number
  /** The fewest outcomes in the window that can open the circuit. */
  readonly minimumThroughput: number
  /** The failure ratio in the window that opens the circuit, in (0, 1). */
  readonly failureThreshold: number
  /** The most scopes kept. */
  readonly maxScopes: number
}

/**
 * One scope's circuit. `window` counts successes and failures over the last
 * `windowsCount` buckets of `bucketMillis`.
 */
export interface Circuit {
  state: State
  /** Bumped on every transition and on eviction: outcomes of calls admitted under another generation are dropped. */
  generation: number
  /** While open: the instant (millis) from which one caller may probe. */
  openUntil: number
  readonly window: RollingWindow
  /** While closed: the ticket every call of this generation shares. */
  closedTicket: RunTicket
}

/** A call admitted to run. */
export interface RunTicket {
  readonly _tag: "Run"
  readonly circuit: Circuit
  readonly generation: number
  readonly probe: boolean
  /** The transition this admission caused (open → half-open for a probe). */
  readonly transition: StateChange | undefined
  /**
   * A slot the glue may fill with what it builds for the calls of this
   * ticket (its continuation), to reuse it for the next call: the kernel
   * never reads it.
   */
  cache: unknown
}

/** A call refused: the circuit is open (or probing) for `retryAfter` more millis. */
export interface Reject {
  readonly _tag: "Reject"
  readonly retryAfter: number
}

/** What `admit` decided for one call. */
export type Ticket = RunTicket | Reject

/** How a call ended: failed (`true`), succeeded (`false`), or was interrupted (counts as nothing). */
export type Outcome = boolean | "interrupted"

/** The default of `maxScopes`. */
export const defaultMaxScopes = 10_000

/** The default of `windowsCount`. */
export const defaultWindowsCount = 10

/** The default of `maxScopeLabels` (the metrics' bound on `scope` label values). */
export const defaultMaxScopeLabels = 100

/** The options as a user gives them; `D` is the line's duration input. */
export interface Options<D> {
  readonly breakDuration: D
  readonly samplingDuration: D
  readonly minimumThroughput: number
  readonly failureThreshold: number
  readonly windowsCount?: number | undefined
  readonly maxScopes?: number | undefined
  readonly maxScopeLabels?: number | undefined
  readonly onStateChange?: unknown
}

/**
 * How a line checks one option: each returns the value (a positive duration
 * in millis for `positiveMillis`) or throws, naming `where` and the option.
 */
export interface Checks<D> {
  record(where: string, option: string, value: object): unknown
  positiveMillis(where: string, option: string, value: D): number
  integer(where: string, option: string, value: number, min: number): number
  between(where: string, option: string, value: number, min: number, max: number, inclusive: boolean): number
  callable(where: string, option: string, value: (...args: ReadonlyArray<any>) => unknown): unknown
}

/** The settings of `options` once `check` accepted each (for `where`, the constructor called), plus `maxScopeLabels`. */
export const settingsOf = <D>(
  where: string,
  options: Options<D>,
  check: Checks<D>
): Settings & { readonly maxScopeLabels: number } => {
  check.record(where, "options", options)
  const breakMillis = check.positiveMillis(where, "breakDuration", options.breakDuration)
  const samplingMillis = check.positiveMillis(where, "samplingDuration", options.samplingDuration)
  const minimumThroughput = check.integer(where, "minimumThroughput", options.minimumThroughput, 1)
  const failureThreshold = check.between(where, "failureThreshold", options.failureThreshold, 0, 1, false)
  const windowsCount = check.integer(where, "windowsCount", options.windowsCount ?? defaultWindowsCount, 1)
  const maxScopes = check.integer(where, "maxScopes", options.maxScopes ?? defaultMaxScopes, 1)
  const maxScopeLabels = check.integer(where, "maxScopeLabels", options.maxScopeLabels ?? defaultMaxScopeLabels, 0)
  if (options.onStateChange !== undefined) {
    check.callable(where, "onStateChange", options.onStateChange as (...args: ReadonlyArray<any>) => unknown)
  }
  return {
    breakMillis,
    bucketMillis: samplingMillis / windowsCount,
    windowsCount,
    minimumThroughput,
    failureThreshold,
    maxScopes,
    maxScopeLabels
  }
}

/**
 * How a call ended, from its exit: a defect always counts as a failure,
 * whatever the classifier says; an interruption and nothing else counts as
 * nothing; otherwise the classifier `isFailure` decides (a classifier that
 * throws counts the call as failed).
 */
export const outcomeOf = <X>(
  died: boolean,
  interruptedOnly: boolean,
  exit: X,
  isFailure: (exit: X) => boolean
): Outcome => {
  if (died) return true
  if (interruptedOnly) return "interrupted"
  try {
    return isFailure(exit)
  } catch {
    return true
  }
}

const SUCCESSES = 0
const FAILURES = 1

const closedTicket = (circuit: Circuit): RunTicket => ({
  _tag: "Run",
  circuit,
  generation: circuit.generation,
  probe: false,
  transition: undefined,
  cache: undefined
})

/** The circuits of one breaker instance, one per scope, and the rules that move them. */
export class Breaker {
  readonly settings: Settings
  /** The circuits kept, oldest first. */
  readonly circuits: Map<string, Circuit> = new Map()
  /** Eviction brings the number of circuits down to this (90% of `maxScopes`). */
  private readonly evictTo: number
  /**
   * The scope `closedTicket` found last, and its circuit (kept while it is in
   * `circuits`): most calls of one breaker name the scope the last one named,
   * and comparing a string with itself is cheaper than a map lookup.
   */
  private lastScope: string | undefined = undefined
  private lastCircuit: Circuit | undefined = undefined

  constructor(settings: Settings) {
    this.settings = settings
    this.evictTo = Math.max(0, Math.min(settings.maxScopes - 1, Math.floor(settings.maxScopes * 0.9)))
  }

  /**
   * The ticket every call of `scope` shares while its circuit is closed
   * (`undefined` otherwise): such a call needs no clock read, no admission
   * and no cleanup if its caller goes away.
   */
  closedTicket(scope: string): RunTicket | undefined {
    const circuit = scope === this.lastScope ? this.lastCircuit : this.circuits.get(scope)
    if (circuit === undefined) return undefined
    this.lastScope = scope
    this.lastCircuit = circuit
    return circuit.state === "closed" ? circuit.closedTicket : undefined
  }

  /**
   * The millis for which `scope`'s open circuit still refuses calls at `now`;
   * 0 when it does not (a new scope, or a probe may start: `admit` decides).
   * Lets the glue refuse without `admit`, and without its cleanup.
   */
  refusal(scope: string, now: number): number {
    const circuit = this.circuits.get(scope)
    return circuit !== undefined && circuit.state === "open" ? Math.max(0, breakLeft(circuit, now)) : 0
  }

  /** The state of `scope` ("closed" for a scope not kept). */
  stateOf(scope: string): State {
    return this.circuits.get(scope)?.state ?? "closed"
  }

  /** The state of every scope kept. */
  snapshot(): Map<string, State> {
    const snapshot = new Map<string, State>()
    for (const [scope, circuit] of this.circuits) snapshot.set(scope, circuit.state)
    return snapshot
  }

  /**
   * Decides whether a call of `scope` may run at `now`: a closed circuit
   * shares one ticket between its calls, an open one refuses until its break
   * is over, then admits exactly one probe; a half-open one refuses.
   */
  admit(scope: string, now: number): Ticket {
    let circuit = this.circuits.get(scope)
    if (circuit === undefined) {
      if (this.circuits.size >= this.settings.maxScopes) this.evict(now)
      circuit = {
        state: "closed",
        generation: 0,
        openUntil: 0,
        window: new RollingWindow(this.settings.windowsCount, this.settings.bucketMillis),
        closedTicket: undefined as unknown as RunTicket
      }
      circuit.closedTicket = closedTicket(circuit)
      this.circuits.set(scope, circuit)
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
          transition: { scope, from: "open", to: "half-open" },
          cache: undefined
        }
      }
      case "half-open":
        // the probe's verdict is unknown: the break is the earliest a new probe could follow a failed one
        return { _tag: "Reject", retryAfter: this.settings.breakMillis }
    }
  }

  /**
   * Records the outcome of a call admitted by `ticket`, at `now`; returns the
   * transition it caused, if any. Outcomes of calls admitted under another
   * generation, or of a scope evicted meanwhile, are dropped.
   */
  complete(scope: string, ticket: RunTicket, outcome: Outcome, now: number): StateChange | undefined {
    const circuit = ticket.circuit
    // an evicted circuit's generation was bumped too: no lookup of `scope` on every call's path
    if (circuit.generation !== ticket.generation) return undefined
    if (ticket.probe) {
      if (outcome === "interrupted") {
        // nobody knows: the next caller probes at once
        open(circuit, now)
        return { scope, from: "half-open", to: "open" }
      }
      if (outcome) {
        open(circuit, now + this.settings.breakMillis)
        return { scope, from: "half-open", to: "open" }
      }
      circuit.state = "closed"
      circuit.generation++
      circuit.closedTicket = closedTicket(circuit)
      circuit.window.clear()
      return { scope, from: "half-open", to: "closed" }
    }
    if (outcome === "interrupted") return undefined
    const window = circuit.window
    if (!outcome) {
      window.add(now, SUCCESSES)
      return undefined
    }
    window.add(now, FAILURES)
    // *(seed, as Polly)* only a failure can open the circuit
    const failures = window.sum(now, FAILURES)
    const total = failures + window.sum(now, SUCCESSES)
    if (total >= this.settings.minimumThroughput && failures / total >= this.settings.failureThreshold) {
      open(circuit, now + this.settings.breakMillis)
      return { scope, from: "closed", to: "open" }
    }
    return undefined
  }

  /**
   * Called when a new scope would exceed `maxScopes`: drops idle closed
   * circuits (no outcome in their window), then closed ones, then any,
   * oldest first, down to 90% of the bound.
   */
  private evict(now: number): void {
    this.lastScope = undefined
    this.lastCircuit = undefined
    const map = this.circuits
    const evictTo = this.evictTo
    for (const [scope, circuit] of map) {
      if (map.size <= evictTo) return
      if (circuit.state === "closed" && circuit.window.isEmpty(now)) drop(map, scope, circuit)
    }
    for (const [scope, circuit] of map) {
      if (map.size <= evictTo) return
      if (circuit.state === "closed") drop(map, scope, circuit)
    }
    for (const [scope, circuit] of map) {
      if (map.size <= evictTo) return
      drop(map, scope, circuit)
    }
  }
}

/**
 * The millis left of an open circuit's break at `now`: above 0 a call is
 * refused for that long, otherwise `admit` lets a probe through.
 */
export const breakLeft = (circuit: Circuit, now: number): number => circuit.openUntil - now

/** Forgets `scope`'s circuit: a new generation, so that `complete` drops the outcomes of its calls still running. */
const drop = (map: Map<string, Circuit>, scope: string, circuit: Circuit): void => {
  circuit.generation++
  map.delete(scope)
}

const open = (circuit: Circuit, until: number): void => {
  circuit.state = "open"
  circuit.generation++
  circuit.openUntil = until
}

/** The message of a `CircuitBreakerOpenError`; `retryAfter` is already formatted ("1s"). */
export const openMessage = (scope: string, retryAfter: string): string =>
  `circuit for ${scope} is open (retry after ${retryAfter})`
