/**
 * The overload scenario, end to end (issue 20, item 5): two services, both
 * behind `ServerMiddleware`, on 127.0.0.1.
 *
 * - The upstream, `GET /work`: `capacity` processors shared by every request
 *   in flight, `service` ms of work each (issue 14's model, `./model.ts`),
 *   behind
 *   `ServerMiddleware.make({ concurrencyLimit })` with issue 14's AIMD limit
 *   (initial = capacity, latencyThreshold 1.3 × service, decayHalfLife one
 *   service time). A shed request is answered 503 with `Retry-After:
 *   shedRetryAfter`.
 * - The front, `GET /`: `ServerMiddleware.make()` (it reads the caller's
 *   `X-Request-Priority` and `X-Request-Timeout`, no limit of its own); its
 *   handler calls the upstream once through a `ResilientHttpClient` (with no
 *   `priority` of its own: each call sends, and its limit admits it under,
 *   the priority the request inherited) with the strategy a real service would use (3 sequential attempts, linear delays:
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
import { ConcurrencyLimit, Delays, Priority, Strategy } from "@aio-request/line/core"
import {
  catchAll,
  Effect,
  get,
  HttpClient,
  json,
  Option,
  type Scope,
  serve,
  status,
  text
} from "@aio-request/line/demo"
import { Headers, HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import { processorSharing } from "./model.js"

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
   * False while a mode's options are not chosen yet (the table's header then
   * says "protected mode not yet wired"); both modes are wired.
   */
  readonly wired: boolean
  /** Added to the front's `ResilientHttpClient.make` options. */
  readonly client: Partial<ResilientHttpClient.CommonOptions>
}

/**
 * The client options of each mode: the one place they are chosen.
 *
 * - baseline: `pushback: false`, no client limit: the client retries a shed
 *   attempt on its own delays, whatever the `Retry-After`.
 * - protected: pushback on (the default) and a client-side limit,
 *   `fixed(2 × capacity)` with shares `{ high: 1, normal: 0.5, low: 0.4 }`
 *   (`clientLimit`): normal is admitted while fewer than 5 attempts
 *   (capacity 5) are in flight, low while fewer than 4, high while fewer
 *   than 10. Normal and low keep the upstream at or below its capacity, so it
 *   stays at its unloaded latency and seldom sheds; high comes on top and is
 *   never refused at the front. With the default shares, `fixed(capacity)`
 *   would admit normal to 4 and high only to 5: one slot apart, high would be
 *   refused whenever normal filled the rest, and 5 in flight plus high is
 *   already past the upstream's capacity.
 */
export const modeOptions = (mode: Mode, p: ChainParameters): Effect.Effect<ModeConfig> =>
  mode === "baseline"
    ? Effect.succeed({ mode, description: "pushback off, no client limit", wired: true, client: { pushback: false } })
    : Effect.map(ConcurrencyLimit.make(clientLimit(p)), (concurrencyLimit) => ({
      mode,
      description: `pushback on, client limit fixed(${2 * p.capacity}), shares high 1, normal 0.5, low 0.4`,
      wired: true,
      client: { concurrencyLimit }
    }))

/** The protected mode's client limit (see `modeOptions`). */
export const clientLimit = (p: ChainParameters): ConcurrencyLimit.Options => ({
  limit: ConcurrencyLimit.fixed(2 * p.capacity),
  shares: { high: 1, normal: 0.5, low: 0.4 }
})

/**
 * The upstream's limit: issue 14's AIMD at this scenario's capacity (initial
 * = capacity, latencyThreshold 1.3 × service, decayHalfLife one service time).
 */
export const upstreamLimit = (p: ChainParameters): ConcurrencyLimit.Limit =>
  ConcurrencyLimit.aimd({
    initial: p.capacity,
    max: 1000,
    latencyThreshold: `${Math.round(p.service * 1.3)} millis`,
    decayHalfLife: `${p.service} millis`
  })

/** Starts the upstream until the scope closes; its URL and its limiter. */
export const upstream = (p: ChainParameters) =>
  Effect.gen(function*() {
    const limiter = yield* ConcurrencyLimit.make({ limit: upstreamLimit(p) })
    const work = yield* processorSharing(p)
    const url = yield* serve([get("/work", Effect.as(work, text("done")))], {
      concurrencyLimit: limiter,
      shedRetryAfter: `${p.shedRetryAfter} millis`
    })
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

const priorityOf = (request: { readonly headers: Readonly<Record<string, string>> }): Priority.Priority =>
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
    const transport = counting(yield* HttpClient.HttpClient, attempts)
    const strategy = yield* strategyOf(p)
    const client = yield* ResilientHttpClient.make({ endpoint: `${upstreamUrl}/`, strategy, ...config.client }).pipe(
      Effect.provideService(HttpClient.HttpClient, transport)
    )
    const handler = client.execute(HttpRequest.get("work")).pipe(
      Effect.flatMap((response) => Effect.as(response.text, response.status)),
      catchAll((error) => Effect.succeed(statusOfError(error))),
      Effect.map((code) => code === 200 ? text("ok") : status(code))
    )
    return yield* serve([
      get("/", handler),
      // the counts, for a driver in another process
      get("/attempts", Effect.sync(() => json(snapshot(attempts))))
    ], {})
  })

export { priorities }
