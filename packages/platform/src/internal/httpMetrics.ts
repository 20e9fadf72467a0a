/**
 * The recording side of `HttpMetrics`: metric handles labelled once per
 * client route and per server series, and the recorders that keep them.
 * The metrics themselves are defined in `metrics.ts`.
 */
import { Options } from "@aio-request/core"
import * as kernel from "@aio-request/kernel/http/metrics"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as HttpMetrics from "../HttpMetrics.js"
import * as metrics from "./metrics.js"

// One `Metric.taggedWithLabels` per recording: each `Metric.tagged` in a chain
// adds a label-array union on every update, and the registry lookup of the
// labelled series is the dominant cost anyway (see bench/metrics.ts in
// @aio-request/opentelemetry).
const label = MetricLabel.make

const clientBase = (labels: HttpMetrics.ClientLabels): Array<MetricLabel.MetricLabel> => [
  label("request_endpoint", labels.endpoint),
  label("request_method", labels.method),
  label("request_path", labels.path)
]

/** @internal */
export const clientRoute = (labels: HttpMetrics.ClientLabels): HttpMetrics.ClientRoute => {
  const base = clientBase(labels)
  const latencies = new Map<number, Metric.Metric.Histogram<number>>()
  const transports = new Map<number, Metric.Metric.Histogram<number>>()
  return {
    labels: { endpoint: labels.endpoint, method: labels.method, path: labels.path },
    latency: (status, circuitBreaker) => {
      // a circuit flag is only ever true with 502
      const key = circuitBreaker ? -status : status
      let metric = latencies.get(key)
      if (metric === undefined) {
        metric = Metric.taggedWithLabels(metrics.clientLatency, [
          ...base,
          label("response_status", String(status)),
          label("circuit_breaker", String(circuitBreaker))
        ])
        latencies.set(key, metric)
      }
      return metric
    },
    transportLatency: (status) => {
      let metric = transports.get(status)
      if (metric === undefined) {
        metric = Metric.taggedWithLabels(metrics.transportLatency, [...base, label("response_status", String(status))])
        transports.set(status, metric)
      }
      return metric
    },
    attempts: Metric.taggedWithLabels(metrics.attempts, base),
    hedges: Metric.taggedWithLabels(metrics.hedges, base),
    retries: Metric.taggedWithLabels(metrics.retries, base)
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
  Effect.zipRight(
    Metric.update(route.transportLatency(status), seconds),
    Effect.zipRight(
      Metric.increment(route.attempts),
      kind === "hedge"
        ? Metric.increment(route.hedges)
        : kind === "retry"
        ? Metric.increment(route.retries)
        : Effect.void
    )
  )

/** @internal */
export const recordAttempt = (
  labels: HttpMetrics.ClientLabels & { readonly status: number; readonly kind: "first" | "hedge" | "retry" },
  seconds: number
): Effect.Effect<void> => recordAttemptOn(clientRoute(labels), labels.status, labels.kind, seconds)

/** @internal */
export const recordServerRequest = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  seconds: number
): Effect.Effect<void> =>
  Metric.update(
    Metric.taggedWithLabels(metrics.serverLatency, [
      label("request_client", labels.client),
      label("request_method", labels.method),
      label("request_path", labels.path),
      label("response_status", String(labels.status))
    ]),
    seconds
  )

/**
 * `aio_request_server_latency` of one client, method, route and status.
 *
 * @internal
 */
export type ServerSeries = kernel.ServerSeries<Metric.Metric.Histogram<number>>

/**
 * The labelled `aio_request_server_latency` histograms, each made once and
 * kept: labelling a metric builds and hashes a metric key, which costs far
 * more than the update. The bounds (clients, series) are the kernel's.
 *
 * @internal
 */
export const makeServerSeries = (maxSeries: number, maxClients: number): ServerSeries =>
  kernel.makeServerSeries(
    maxSeries,
    maxClients,
    (client, method, path, status) =>
      Metric.taggedWithLabels(metrics.serverLatency, [
        label("request_client", client),
        label("request_method", method),
        label("request_path", path),
        label("response_status", String(status))
      ])
  )

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
