/**
 * The shape of the HTTP metrics, without the metrics: Python aio-request's
 * latency buckets, the bounds on the label values a caller controls, and the
 * bounded caches of labelled series (the glue makes each series, once).
 */

import { BoundedLabels } from "../boundedLabels.js"

/** Python aio-request's latency buckets, in seconds. */
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

/** The value a bounded label takes once its bound is reached (the kernel's BoundedLabels). */
export { overflowLabel } from "../boundedLabels.js"

/** How many labelled series a recorder keeps, by default. */
export const defaultMaxSeries = 10_000

/** How many distinct `request_client` values are recorded, by default. */
export const defaultMaxClients = 100

/**
 * A cache of at most `maxSeries` values by string id, each made once by
 * `make`; when full, it starts afresh.
 */
export const memo = <K, M>(maxSeries: number, make: (key: K) => M): (id: string, key: K) => M => {
  const cache = new Map<string, M>()
  return (id, key) => {
    let metric = cache.get(id)
    if (metric === undefined) {
      if (cache.size >= maxSeries) cache.clear()
      metric = make(key)
      cache.set(id, metric)
    }
    return metric
  }
}

/** A server series by client, method, route and status. */
export type ServerSeries<M> = (client: string, method: string, path: string, status: number) => M

/**
 * The server series, each made once by `make` and kept. At most `maxClients`
 * distinct clients (then `overflowLabel`), and at most `maxSeries` series kept
 * (then the cache starts afresh). The lookup is one `Map` per label, on the
 * strings as given: no key string is built per call.
 */
export const makeServerSeries = <M>(
  maxSeries: number,
  maxClients: number,
  make: ServerSeries<M>
): ServerSeries<M> => {
  const clients = new BoundedLabels(maxClients)
  let series = 0
  const byClient = new Map<string, Map<string, Map<string, Map<number, M>>>>()
  return (client, method, path, status) => {
    client = clients.label(client)
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
    const metric = make(client, method, path, status)
    byStatus.set(status, metric)
    series++
    return metric
  }
}
