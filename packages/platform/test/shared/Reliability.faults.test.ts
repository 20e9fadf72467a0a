/**
 * The fault matrix (docs/reliability.md, "Faults"): every fault of the chaos
 * server, for `Strategy.single`, `sequential` and `parallel`, over undici,
 * node:http and fetch. Each case checks what a user would notice:
 *
 * - the call, body read included, ends by its deadline + 100 ms;
 * - with the documented typed error or response;
 * - the server saw the documented number of requests;
 * - the server's open connections return to the idle baseline (zero: the
 *   chaos server closes every connection after its answer, so one still open
 *   is one the client did not release).
 *
 * The deadline + 100 ms bound is a correctness bound (the deadline is honoured),
 * not a speed assertion. Every case runs (docs/reliability.md, "Faults"), on both lines:
 * an HTTP client error is named as on Effect 3 (`RequestError`/`ResponseError` and its reason),
 * read on Effect 4 from its one class and its reason (the kit's `httpErrorOf`).
 */
import { Delays, Strategy } from "@aio-request/line/core"
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { dieMessage, findError, prettyCause } from "@aio-request/line/platform-support"
import {
  assert,
  beforeAll,
  describe,
  Duration,
  Effect,
  Exit,
  HttpClient,
  httpErrorOf,
  Option,
  scopedLive
} from "@aio-request/line/platform-testkit"
import * as Chaos from "./support/chaos.js"

/**
 * The request's deadline (the client's `timeout`): 600 ms for the faults whose
 * outcome is the deadline (`endsAtDeadline`), 2 s for the others, whose outcome
 * must not depend on how fast a busy machine gets through a few connects.
 */
const deadlineOf = (fault: Fault): number => fault.endsAtDeadline === true ? 600 : 2000

type StrategyName = "single" | "sequential" | "parallel"

const strategyOf = (name: StrategyName, deadlineMillis: number): Strategy.Strategy => {
  switch (name) {
    case "single":
      return Strategy.single
    case "sequential":
      return Strategy.sequential({ attempts: 3, delays: Delays.constant("20 millis") })
    case "parallel":
      // hedges at a quarter and at half of the deadline (150 and 300 ms of 600), or at once after a
      // rejected attempt
      return Strategy.parallel({
        attempts: 3,
        delays: Delays.linear({ min: 0, multiplier: Duration.millis(deadlineMillis / 4), jitter: 0 })
      })
  }
}
const strategyNames: ReadonlyArray<StrategyName> = ["single", "sequential", "parallel"]

/** What one call ends with. */
type Outcome =
  /** A response with this status, whose body reads as `body`. */
  | { readonly _tag: "Response"; readonly status: number; readonly body: string }
  /** A response with this status, whose body read fails with this error. */
  | { readonly _tag: "BodyError"; readonly status: number; readonly error: string; readonly reason?: string }
  /** No response: the call fails with this error. */
  | { readonly _tag: "Error"; readonly error: string; readonly reason?: string }
  /** No response: the call fails with a typed error (in the error channel, not a defect). */
  | { readonly _tag: "AnyError" }

interface Expectation {
  readonly outcome: Outcome
  /** Requests the server saw, all calls of the case together. */
  readonly requests: number
}

interface Fault {
  readonly name: string
  /** The chaos route, or `refused` for the closed port. */
  readonly route: Chaos.Route | "refused"
  /** Query string for the route. */
  readonly query?: string
  /** Calls made one after another on one client (default 1), each expected to end with `outcome`. */
  readonly calls?: number
  readonly options?: Partial<ResilientHttpClient.ResilientHttpClient.CommonOptions>
  readonly strategies?: ReadonlyArray<StrategyName>
  readonly expect: (strategy: StrategyName) => Expectation
  /** The outcome is the deadline (a short one keeps the matrix fast). */
  readonly endsAtDeadline?: boolean
}

const transportError: Outcome = { _tag: "Error", error: "RequestError", reason: "Transport" }
const deadlineError: Outcome = { _tag: "Error", error: "DeadlineExceededError" }
/** 1 for single; 3 for sequential and parallel, which try again after a rejected outcome. */
const retried = (outcome: Outcome) => (strategy: StrategyName): Expectation => ({
  outcome,
  requests: strategy === "single" ? 1 : 3
})
/** 1 for single and sequential (the one attempt takes the whole deadline); 3 for parallel (two hedges). */
const hedged = (outcome: Outcome) => (strategy: StrategyName): Expectation => ({
  outcome,
  requests: strategy === "parallel" ? 3 : 1
})
const once = (outcome: Outcome) => (): Expectation => ({ outcome, requests: 1 })

const faults: ReadonlyArray<Fault> = [
  {
    name: "refuses (closed port)",
    route: "refused",
    expect: () => ({ outcome: transportError, requests: 0 })
  },
  {
    name: "resets before headers",
    route: "reset-before-headers",
    expect: retried(transportError)
  },
  {
    name: "resets mid-body",
    route: "reset-mid-body",
    // the headers arrived: the attempt is accepted, the body read fails
    expect: once({ _tag: "BodyError", status: 200, error: "ResponseError", reason: "Decode" })
  },
  {
    name: "accepts and never answers",
    endsAtDeadline: true,
    route: "hang",
    expect: hedged(deadlineError)
  },
  {
    name: "drips headers",
    endsAtDeadline: true,
    route: "drip-headers",
    expect: hedged(deadlineError)
  },
  {
    name: "drips the body (1 byte / 200 ms)",
    endsAtDeadline: true,
    route: "drip-body",
    // the headers arrived: the attempt is accepted, the body read fails at the deadline
    expect: once({ _tag: "BodyError", status: 200, error: "DeadlineExceededError" })
  },
  {
    name: "5xx burst (two 503s, then 200)",
    route: "burst",
    query: "n=2",
    expect: (strategy) =>
      strategy === "single"
        ? { outcome: { _tag: "Response", status: 503, body: "burst" }, requests: 1 }
        : { outcome: { _tag: "Response", status: 200, body: "ok" }, requests: 3 }
  },
  {
    name: "closes keep-alive after each response (3 calls)",
    route: "keep-alive-close",
    calls: 3,
    expect: () => ({ outcome: { _tag: "Response", status: 200, body: "ok" }, requests: 3 })
  },
  {
    name: "malformed status line",
    route: "bad-status-line",
    expect: retried(transportError)
  },
  {
    name: "Content-Length: abc",
    route: "bad-content-length",
    expect: retried(transportError)
  },
  {
    name: "redirect to data:",
    route: "redirect-data",
    // only http(s) locations are followed; any other ends the request with a typed error, not retried
    expect: once({ _tag: "AnyError" })
  },
  {
    name: "redirect to file:",
    route: "redirect-file",
    expect: once({ _tag: "AnyError" })
  },
  {
    name: "redirect loop, maxRedirects: 2",
    route: "redirect-loop",
    options: { maxRedirects: 2 },
    // TooManyRedirectsError is accepted: no other attempt
    strategies: ["single", "sequential"],
    // the first request and two hops
    expect: () => ({ outcome: { _tag: "Error", error: "TooManyRedirectsError" }, requests: 3 })
  },
  {
    name: "redirect loop, followRedirects: false",
    route: "redirect-loop",
    options: { followRedirects: false },
    expect: once({ _tag: "Response", status: 302, body: "" })
  }
]

/** A body read: the text, or the typed error it failed with. */
type BodyRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: unknown }

type CallResult = { readonly _tag: "Response"; readonly status: number; readonly body: BodyRead }

/** One call as a user makes it: execute, then read the body. */
const call = (
  client: HttpClient.HttpClient.With<ResilientHttpClient.Error>,
  path: string
): Effect.Effect<CallResult, ResilientHttpClient.Error> =>
  Effect.flatMap(
    client.execute(HttpRequest.get(path)),
    (response) =>
      Effect.map(
        Effect.match(response.text, {
          onFailure: (error): BodyRead => ({ ok: false, error }),
          onSuccess: (text): BodyRead => ({ ok: true, text })
        }),
        (body): CallResult => ({ _tag: "Response", status: response.status, body })
      )
  )

/** The error's name: `RequestError`/`ResponseError` for an HTTP client error (as on Effect 3), else its tag. */
const tagOf = (u: unknown): string => {
  const http = httpErrorOf(u)
  if (http !== undefined) return http.side === "request" ? "RequestError" : "ResponseError"
  return typeof u === "object" && u !== null && "_tag" in u ? String((u as { _tag: unknown })._tag) : String(u)
}
/** The reason of an HTTP client error (`Transport`, `Decode`, ...). */
const reasonOf = (u: unknown): unknown => {
  const http = httpErrorOf(u)
  if (http !== undefined) return http.reason
  return typeof u === "object" && u !== null && "reason" in u ? (u as { reason: unknown }).reason : undefined
}
const showBody = (body: BodyRead): string => body.ok ? JSON.stringify(body.text) : String(body.error)

const check = (outcome: Outcome, exit: Exit.Exit<CallResult, ResilientHttpClient.Error>, label: string): void => {
  if (Exit.isFailure(exit)) {
    const failure = findError(exit.cause)
    if (Option.isNone(failure)) {
      assert.fail(`${label}: expected ${outcome._tag}, got a defect: ${prettyCause(exit.cause)}`)
    }
    const error = failure.value
    if (outcome._tag === "AnyError") return
    assert.strictEqual(outcome._tag, "Error", `${label}: got error ${tagOf(error)}: ${error.message}`)
    if (outcome._tag !== "Error") return
    assert.strictEqual(tagOf(error), outcome.error, `${label}: ${error.message}`)
    if (outcome.reason !== undefined) assert.strictEqual(reasonOf(error), outcome.reason, label)
    return
  }
  const result = exit.value
  if (outcome._tag === "Error" || outcome._tag === "AnyError") {
    assert.fail(`${label}: expected an error, got a ${result.status} response (${showBody(result.body)})`)
  }
  assert.strictEqual(result.status, outcome.status, label)
  if (outcome._tag === "Response") {
    assert.isTrue(result.body.ok, `${label}: the body read failed: ${showBody(result.body)}`)
    if (result.body.ok) assert.strictEqual(result.body.text, outcome.body, label)
  } else {
    assert.isTrue(!result.body.ok, `${label}: expected the body read to fail`)
    if (!result.body.ok) {
      assert.strictEqual(tagOf(result.body.error), outcome.error, label)
      if (outcome.reason !== undefined) assert.strictEqual(reasonOf(result.body.error), outcome.reason, label)
    }
  }
}

const runCase = (fault: Fault, transport: typeof Chaos.transports[number], strategyName: StrategyName) =>
  Effect.gen(function*() {
    const expected = fault.expect(strategyName)
    const deadlineMillis = deadlineOf(fault)
    const chaos = yield* Chaos.make
    const client = yield* ResilientHttpClient.make({
      endpoint: fault.route === "refused" ? chaos.refusedUrl : chaos.url,
      timeout: `${deadlineMillis} millis`,
      strategy: strategyOf(strategyName, deadlineMillis),
      ...fault.options
    })
    const path = (fault.route === "refused" ? "ok" : fault.route) + (fault.query === undefined ? "" : `?${fault.query}`)
    for (let i = 0; i < (fault.calls ?? 1); i++) {
      const label = `${fault.name}, ${strategyName} over ${transport.name}, call ${i + 1}`
      // a guard far above the bound, so a hanging call fails the test instead of timing it out
      const { elapsed, exit, lag } = yield* Chaos.timed(
        call(client, path).pipe(
          Effect.timeoutOption(`${deadlineMillis + 2000} millis`),
          Effect.flatMap(Option.match({ onNone: () => dieMessage("the call hung"), onSome: Effect.succeed }))
        ),
        deadlineMillis
      )
      check(expected.outcome, exit, label)
      assert.isAtMost(
        elapsed,
        deadlineMillis + Chaos.slackMillis + lag,
        `${label}: ended ${elapsed} ms after it started (the process's own timer was ${lag} ms late)`
      )
    }
    yield* Effect.mapError(chaos.awaitIdle(5000), (message) => new Error(message))
    assert.strictEqual(yield* chaos.totalRequests, expected.requests, `${fault.name}: requests the server saw`)
  }).pipe(Effect.provide(transport.layer))

// the first request of each transport loads its modules: keep that out of the timed calls
beforeAll(() => Effect.runPromise(Chaos.warmUp), 30_000)

for (const fault of faults) {
  describe.concurrent(`fault: ${fault.name}`, () => {
    for (const transport of Chaos.transports) {
      for (const strategyName of fault.strategies ?? strategyNames) {
        const name = `${strategyName} over ${transport.name}`
        scopedLive(name, () => runCase(fault, transport, strategyName), { retry: Chaos.timingRetries })
      }
    }
  })
}
