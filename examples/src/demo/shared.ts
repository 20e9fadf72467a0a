/**
 * What the demo's scenes share: the scene's shape, a server on an ephemeral
 * port of 127.0.0.1, percentiles, and counts read from Effect's metric
 * registry (the same values the Prometheus scrape shows).
 */
import type { Observability } from "@aio-request/opentelemetry"
import type { HttpApp, HttpClient, HttpMiddleware } from "@effect/platform"
import { HttpServer } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { Scope } from "effect"
import { Clock, Effect, Metric, MetricState } from "effect"
import { createServer } from "node:http"

/** How a scene runs: `quick` shrinks the load (tests, `--quick`). */
export interface SceneConfig {
  readonly quick: boolean
}

/** What a scene needs from the runner: an `HttpClient` to wrap, the Prometheus endpoint. */
export type SceneContext = HttpClient.HttpClient | Observability.PrometheusEndpoint

/** One scene of the demo: a name for `--scene`, a title, a run that prints its figures. */
export interface Scene {
  readonly name: string
  readonly title: string
  /** Runs the scene; its servers are closed when the returned effect ends. Returns its key figures. */
  readonly run: (config: SceneConfig) => Effect.Effect<Readonly<Record<string, number>>, unknown, SceneContext>
}

/**
 * Serves `app` (behind `middleware`, if any) on 127.0.0.1, on a port the
 * system chooses, until the scope closes. Returns the server's base URL.
 */
export const serve = <E, R>(
  app: HttpApp.Default<E, R>,
  middleware?: HttpMiddleware.HttpMiddleware
): Effect.Effect<
  string,
  unknown,
  Scope.Scope | Exclude<R, import("@effect/platform").HttpServerRequest.HttpServerRequest>
> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => createServer(), { port: 0, host: "127.0.0.1" })
    const serving = middleware === undefined ? HttpServer.serveEffect(app) : HttpServer.serveEffect(app, middleware)
    yield* Effect.provideService(serving, HttpServer.HttpServer, server)
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP server")
    return `http://127.0.0.1:${address.port}`
  })

/** The `p` quantile (0..1) of ascending `sorted` values, nearest rank; 0 when empty. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

/** Milliseconds since the effect was built (for "at 123 ms" lines). */
export const stopwatch = Effect.map(
  Clock.currentTimeMillis,
  (start) => Effect.map(Clock.currentTimeMillis, (now) => now - start)
)

/** A right-aligned cell. */
export const cell = (value: string | number, width: number): string => String(value).padStart(width)

/**
 * The counts in Effect's metric registry at one moment: a counter's value, a
 * histogram's number of observations, per metric name and labels.
 */
export interface Counts {
  /** The sum over the series of `name` whose labels include all of `where`. */
  readonly get: (name: string, where?: Readonly<Record<string, string>>) => number
}

/** Reads the registry once. */
export const counts: Effect.Effect<Counts> = Effect.map(Metric.snapshot, (pairs) => {
  const series = pairs.flatMap((pair) => {
    const state: unknown = pair.metricState
    const value = MetricState.isCounterState(state)
      ? Number(state.count)
      : MetricState.isHistogramState(state)
      ? state.count
      : undefined
    if (value === undefined) return []
    const labels = new Map(pair.metricKey.tags.map((tag) => [tag.key, tag.value] as const))
    return [{ name: pair.metricKey.name, labels, value }]
  })
  return {
    get: (name, where = {}) =>
      series.reduce(
        (sum, s) =>
          s.name === name && Object.entries(where).every(([key, value]) => s.labels.get(key) === value)
            ? sum + s.value
            : sum,
        0
      )
  }
})

/** How much each count grew between two readings. */
export const delta = (before: Counts, after: Counts): Counts => ({
  get: (name, where) => after.get(name, where) - before.get(name, where)
})
