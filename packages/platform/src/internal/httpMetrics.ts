/**
 * The recording side of `HttpMetrics`: metric handles labelled once per
 * client route and per server series, and the recorders that keep them.
 * The metrics themselves are defined in `metrics.ts`.
 */
import { Options } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/metrics"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as HttpMetrics from "../HttpMetrics.js"
import { type Histogram, withHistogramLabels, withLabels } from "./line.js"
import * as metrics from "./metrics.js"

// Each labelled series is made once and kept: labelling a metric builds the
// key of its series, which costs more than an update.
const clientBase = (labels: HttpMetrics.ClientLabels): Record<string, string> => ({
  request_endpoint: labels.endpoint,
  request_method: labels.method,
  request_path: labels.path
})

/** @internal */
export const clientRoute = (labels: HttpMetrics.ClientLabels): HttpMetrics.ClientRoute => {
  const base = clientBase(labels)
  const latencies = new Map<number, Histogram>()
  const transports = new Map<number, Histogram>()
  return {
    labels: { endpoint: labels.endpoint, method: labels.method, path: labels.path },
    latency: (status, circuitBreaker) => {
      // a circuit flag is only ever true with 502
      const key = circuitBreaker ? -status : status
      let metric = latencies.get(key)
      if (metric === undefined) {
        metric = withHistogramLabels(metrics.clientLatency, {
          ...base,
          response_status: String(status),
          circuit_breaker: String(circuitBreaker)
        })
        latencies.set(key, metric)
      }
      return metric
    },
    transportLatency: (status) => {
      let metric = transports.get(status)
      if (metric === undefined) {
        metric = withHistogramLabels(metrics.transportLatency, { ...base, response_status: String(status) })
        transports.set(status, metric)
      }
      return metric
    },
    attempts: withLabels(metrics.attempts, base),
    hedges: withLabels(metrics.hedges, base),
    retries: withLabels(metrics.retries, base)
  }
}

/** @internal */
export const recordClientRequest = (
  labels: HttpMetrics.ClientLabels & { readonly status: number; readonly circuitBreaker: boolean },
  seconds: number
): Effect.Effect<void> => Metric.update(clientRoute(labels).latency(labels.status, labels.circuitBreaker), seconds)

const recordAttemptOn = (
  route: HttpMetrics.ClientRoute,
  status: number,
  kind: "first" | "hedge" | "retry",
  seconds: number
) =>
  Effect.andThen(
    Metric.update(route.transportLatency(status), seconds),
    Effect.andThen(
      Metric.update(route.attempts, 1),
      kind === "hedge"
        ? Metric.update(route.hedges, 1)
        : kind === "retry"
        ? Metric.update(route.retries, 1)
        : Effect.void
    )
  )

/** @internal */
export const recordAttempt = (
  labels: HttpMetrics.ClientLabels & { readonly status: number; readonly kind: "first" | "hedge" | "retry" },
  seconds: number
): Effect.Effect<void> => recordAttemptOn(clientRoute(labels), labels.status, labels.kind, seconds)

const serverSeries = (client: string, method: string, path: string, status: number): Histogram =>
  withHistogramLabels(metrics.serverLatency, {
    request_client: client,
    request_method: method,
    request_path: path,
    response_status: String(status)
  })

/** @internal */
export const recordServerRequest = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  seconds: number
): Effect.Effect<void> => Metric.update(serverSeries(labels.client, labels.method, labels.path, labels.status), seconds)

/**
 * `aio_request_server_latency` of one client, method, route and status.
 *
 * @internal
 */
export type ServerSeries = kernel.ServerSeries<Histogram>

/**
 * The labelled `aio_request_server_latency` histograms, each made once and
 * kept. The bounds (clients, series) are the kernel's.
 *
 * @internal
 */
export const makeServerSeries = (maxSeries: number, maxClients: number): ServerSeries =>
  kernel.makeServerSeries(maxSeries, maxClients, serverSeries)

/** @internal */
export const makeRecorder = (
  options?: { readonly maxSeries?: number | undefined; readonly maxClients?: number | undefined }
): HttpMetrics.Recorder => {
  const maxSeries = Options.integer(
    "HttpMetrics.makeRecorder",
    "maxSeries",
    options?.maxSeries ?? kernel.defaultMaxSeries,
    1
  )
  const maxClients = Options.integer(
    "HttpMetrics.makeRecorder",
    "maxClients",
    options?.maxClients ?? kernel.defaultMaxClients,
    1
  )
  const routes = kernel.memo(maxSeries, clientRoute)
  const server = makeServerSeries(maxSeries, maxClients)
  const clientId = (l: HttpMetrics.ClientLabels) => `${l.endpoint}\u0000${l.method}\u0000${l.path}`
  return {
    recordClientRequest: (l, seconds) =>
      Metric.update(routes(clientId(l), l).latency(l.status, l.circuitBreaker), seconds),
    recordAttempt: (l, seconds) => recordAttemptOn(routes(clientId(l), l), l.status, l.kind, seconds),
    recordServerRequest: (l, seconds) => Metric.update(server(l.client, l.method, l.path, l.status), seconds)
  }
}
