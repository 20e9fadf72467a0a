import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"

/** @internal */
export const latencyBuckets: ReadonlyArray<number> = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.15,
  0.2,
  0.25,
  0.3,
  0.35,
  0.4,
  0.45,
  0.5,
  0.75,
  1,
  5,
  10,
  15,
  20
]

/** @internal */
export const boundaries = MetricBoundaries.fromIterable(latencyBuckets)

/** @internal */
export const serverLatency = Metric.histogram(
  "aio_request_server_latency",
  boundaries,
  "Latency of a server request, in seconds"
)

/** @internal */
export const overflowLabel = "<other>"

/** @internal */
export const defaultMaxSeries = 10_000

/** @internal */
export const defaultMaxClients = 100

/**
 * `aio_request_server_latency` of one client, method, route and status.
 *
 * @internal
 */
export type ServerSeries = (
  client: string,
  method: string,
  path: string,
  status: number
) => Metric.Metric.Histogram<number>

/**
 * The labelled `aio_request_server_latency` histograms, each made once and
 * kept: labelling a metric builds and hashes a metric key, which costs far
 * more than the update. At most `maxClients` distinct `request_client` values
 * (then `overflowLabel`), and at most `maxSeries` histograms kept (then the
 * cache starts afresh; the registry keeps the series). The lookup is one
 * `Map` per label, on the strings as given: no key string is built per call.
 *
 * @internal
 */
export const makeServerSeries = (maxSeries: number, maxClients: number): ServerSeries => {
  const clients = new Set<string>()
  let series = 0
  const byClient = new Map<string, Map<string, Map<string, Map<number, Metric.Metric.Histogram<number>>>>>()
  return (client, method, path, status) => {
    if (!clients.has(client)) {
      if (clients.size >= maxClients) client = overflowLabel
      else clients.add(client)
    }
    let byPath = byClient.get(client)
    let byMethod = byPath?.get(path)
    let byStatus = byMethod?.get(method)
    const found = byStatus?.get(status)
    if (found !== undefined) return found
    if (series >= maxSeries) {
      byClient.clear()
      series = 0
      byPath = byMethod = byStatus = undefined
    }
    if (byPath === undefined) byClient.set(client, byPath = new Map())
    if (byMethod === undefined) byPath.set(path, byMethod = new Map())
    if (byStatus === undefined) byMethod.set(method, byStatus = new Map())
    const metric = Metric.taggedWithLabels(serverLatency, [
      MetricLabel.make("request_client", client),
      MetricLabel.make("request_method", method),
      MetricLabel.make("request_path", path),
      MetricLabel.make("response_status", String(status))
    ])
    byStatus.set(status, metric)
    series++
    return metric
  }
}
