/**
 * The overload scenario, end to end (issue 20, item 5): two services, both
 * behind `ServerMiddleware`, on 127.0.0.1.
 *
 * - The upstream, `GET /work`: `capacity` processors shared by every request
 *   in flight, `service` ms of work each (issue 14's model,
 *   `packages/platform/bench/support/overloadModel.ts`), behind
 *   `ServerMiddleware.make({ concurrencyLimit })` with issue 14's AIMD limit
 *   (initial = capacity, latencyThreshold 1.3 × service, decayHalfLife one
 *   service time). A shed request is answered 503 with `Retry-After:
 *   shedRetryAfter`.
 * - The front, `GET /`: `ServerMiddleware.make()` (it reads the caller's
 *   `X-Request-Priority` and `X-Request-Timeout`, no limit of its own); its
 *   handler calls the upstream once through a `ResilientHttpClient` with the
 *   strategy a real service would use (3 sequential attempts, linear delays:
 *   `Strategy.default` for a GET; `"hedge"`: 2 attempts, the hedge after the
 *   p95 it learns), plus the mode's options (`modeOptions`). It answers 200
 *   when the upstream did, else the upstream's status (503 when shed), 503
 *   when its own client refused the call (`LoadShedError`), 504 when the
 *   deadline passed, 502 otherwise.
 *
 * Every attempt the front sends to the upstream is counted, by its
 * `X-Request-Priority` and its answer, by a wrapper around the `HttpClient`
 * the resilient client sends through (`Attempts`): an attempt answered 503
 * is a wasted attempt. `GET /attempts` on the front answers the counts.
 */
import { ConcurrencyLimit, Delays, Priority, Strategy } from "@aio-request/core"
import { Headers, HttpRequest, ResilientHttpClient, ServerMiddleware } from "@aio-request/platform"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Option, type Scope } from "effect"
import { limit, processorSharing } from "../../../packages/platform/bench/support/overloadModel.js"
import { serve } from "../demo/shared.js"

/** The scenario's shape. */
export interface ChainParameters {
  /** The upstream's processors. */
  readonly capacity: number
  /** Milliseconds of work per upstream request. */
  readonly service: number
  /** The deadline the callers give the front (`X-Request-Timeout`), milliseconds. */
  readonly timeout: number
  /** The upstream's `shedRetryAfter`, milliseconds (rounded up to whole seconds on the wire). */
  readonly shedRetryAfter: number
  /** The front's strategy. */
  readonly strategy: "retry" | "hedge"
}

/**
 * The defaults: issue 14's upstream at half its size, 5 processors at 1 s
 * (5 req/s: at 2×, 10 req/s at the front and up to 30 attempts/s at the
 * upstream; on a 2-core machine shared with other jobs, issue 14's 10
 * processors already measured the machine more than the scenario), a 3 s
 * deadline, `Retry-After: 3`, retries. With a `Retry-After` as long as the
 * deadline, a client that obeys it gives up at once instead of trying again.
 */
export const defaults: ChainParameters = {
  capacity: 5,
  service: 1000,
  timeout: 3000,
  shedRetryAfter: 3000,
  strategy: "retry"
}

/** Requests per second the upstream serves at its nominal latency. */
export const capacityRps = (p: ChainParameters): number => p.capacity * 1000 / p.service

/** The two ways the front's client runs. */
export type Mode = "baseline" | "protected"

export const modes: ReadonlyArray<Mode> = ["baseline", "protected"]

/** What a mode adds to the front's client. */
export interface ModeConfig {
  readonly mode: Mode
  /** What the mode is, for the table. */
  readonly description: string
  /**
   * False while `protected` runs with today's options (the same as
   * `baseline`); the table says so in its header.
   */
  readonly wired: boolean
  /** Added to the front's `ResilientHttpClient.make` options. */
  readonly client: Partial<ResilientHttpClient.CommonOptions>
}

/**
 * The client options of each mode: the one place they are chosen.
 *
 * TO WIRE, once the `pushback` and `clientlimit` lanes are merged:
 * - baseline: `pushback: false` (no client limit);
 * - protected: pushback on (the default) and
 *   `concurrencyLimit: yield* ConcurrencyLimit.make({ limit: ... })` (the
 *   upstream's shares; for example `ConcurrencyLimit.fixed(p.capacity)` or
 *   the upstream's AIMD, `limit(model(p))`), then set `wired: true`.
 * Until then both modes run with today's options and the table's header
 * says "protected mode not yet wired".
 */
export const modeOptions = (mode: Mode, _p: ChainParameters): Effect.Effect<ModeConfig> => {
  if (mode === "baseline") {
    // wired: add `pushback: false`
    return Effect.succeed({ mode, description: "pushback off, no client limit", wired: true, client: {} })
  }
  // wired: for example
  //   Effect.map(ConcurrencyLimit.make({ limit: ConcurrencyLimit.fixed(_p.capacity) }), (concurrencyLimit) => ({
  //     ..., wired: true, client: { concurrencyLimit }   // pushback is on by default
  //   }))
  return Effect.succeed({
    mode,
    description: "pushback on, client-side concurrencyLimit",
    wired: false,
    client: {}
  })
}

/** Issue 14's model with this scenario's capacity and service time. */
export const model = (p: ChainParameters) => ({
  capacity: p.capacity,
  service: p.service,
  threshold: Math.round(p.service * 1.3),
  decay: p.service,
  backend: "ps" as const
})

/** Starts the upstream until the scope closes; its URL and its limiter. */
export const upstream = (p: ChainParameters) =>
  Effect.gen(function*() {
    const limiter = yield* ConcurrencyLimit.make({ limit: limit(model(p)) })
    const work = yield* processorSharing(model(p))
    const url = yield* serve(
      HttpRouter.empty.pipe(HttpRouter.get("/work", Effect.as(work, HttpServerResponse.text("done")))),
      ServerMiddleware.make({ concurrencyLimit: limiter, shedRetryAfter: `${p.shedRetryAfter} millis` })
    )
    return { url, limiter }
  })

const priorities: ReadonlyArray<Priority.Priority> = ["high", "normal", "low"]

/** Per priority: the front's attempts to the upstream, and those answered 503. */
export interface Attempts {
  readonly sent: Record<Priority.Priority, number>
  readonly answered503: Record<Priority.Priority, number>
}

export const makeAttempts = (): Attempts => ({
  sent: { high: 0, normal: 0, low: 0 },
  answered503: { high: 0, normal: 0, low: 0 }
})

/** A copy, to subtract. */
export const snapshot = (a: Attempts): Attempts => ({ sent: { ...a.sent }, answered503: { ...a.answered503 } })

const priorityOf = (request: HttpClientRequest.HttpClientRequest): Priority.Priority =>
  Option.getOrElse(Priority.parse(request.headers[Headers.RequestPriority.toLowerCase()]), () => "normal" as const)

/**
 * The `HttpClient` the front's resilient client sends its attempts through:
 * `base`, counting every attempt sent and every one answered 503 into
 * `attempts`, by the priority on the wire.
 */
const counting = (base: HttpClient.HttpClient, attempts: Attempts): HttpClient.HttpClient =>
  base.pipe(
    HttpClient.tapRequest((request) => Effect.sync(() => void attempts.sent[priorityOf(request)]++)),
    HttpClient.tap((response) =>
      Effect.sync(() => {
        if (response.status === 503) attempts.answered503[priorityOf(response.request)]++
      })
    )
  )

/**
 * WORKAROUND, to remove once the `trust` lane (issue 20 item 1, "priority
 * travels") is merged: today a client with no `priority` sends `"normal"`,
 * whatever the request inherited, so the upstream would see every call as
 * normal. This `enrich` puts the inherited `CurrentPriority` on the wire.
 */
const forwardInheritedPriority = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.map(
    Priority.CurrentPriority,
    (inherited) =>
      Option.match(inherited, {
        onNone: () => request,
        onSome: (priority) => HttpClientRequest.setHeader(request, Headers.RequestPriority, priority)
      })
  )

/** The front's strategy. */
const strategyOf = (p: ChainParameters): Effect.Effect<Strategy.Strategy> =>
  p.strategy === "retry"
    ? Effect.succeed(Strategy.sequential({ attempts: 3 }))
    : Effect.map(
      Delays.percentile({ percentile: 0.95, min: `${p.service} millis`, max: `${2 * p.service} millis` }),
      (delays) => Strategy.parallel({ attempts: 2, delays })
    )

/** The status the front answers for an error of its client. */
const statusOfError = (error: { readonly _tag: string }): number => {
  if (error._tag === "LoadShedError") return 503
  if (error._tag === "DeadlineExceededError") return 504
  const status = (error as { readonly status?: unknown }).status
  return typeof status === "number" ? status : 502
}

/** Starts the front until the scope closes; its URL. */
export const front = (
  p: ChainParameters,
  upstreamUrl: string,
  config: ModeConfig,
  attempts: Attempts
): Effect.Effect<string, unknown, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const base = yield* HttpClient.HttpClient
    const client = yield* ResilientHttpClient.make({
      endpoint: `${upstreamUrl}/`,
      strategy: yield* strategyOf(p),
      enrich: forwardInheritedPriority,
      ...config.client
    }).pipe(Effect.provideService(HttpClient.HttpClient, counting(base, attempts)))
    const handler = client.execute(HttpRequest.get("work")).pipe(
      Effect.flatMap((response) => Effect.as(response.text, response.status)),
      Effect.catchAll((error) => Effect.succeed(statusOfError(error))),
      Effect.map((status) =>
        status === 200 ? HttpServerResponse.text("ok") : HttpServerResponse.text("upstream", { status })
      )
    )
    return yield* serve(
      HttpRouter.empty.pipe(
        HttpRouter.get("/", handler),
        // the counts, for a driver in another process
        HttpRouter.get("/attempts", Effect.sync(() => HttpServerResponse.unsafeJson(snapshot(attempts))))
      ),
      ServerMiddleware.make()
    )
  })

export { priorities }
