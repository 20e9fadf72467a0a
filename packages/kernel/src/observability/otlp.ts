/**
 * What the OTLP export decides on plain values, the same on both lines: where
 * each signal goes, and how each metric is exported (left out, declared in
 * seconds, or as it is). The glue owns the exporter (the OpenTelemetry SDK on
 * Effect 3, `effect/observability` on Effect 4) and applies these.
 */

/**
 * The latency histograms of `HttpMetrics` (names fixed by the API), in
 * seconds. Effect declares every metric without a unit (it would read one
 * only from a `unit` label, which would show up in every series): the export
 * sets `s` on these.
 */
export const secondsHistograms: ReadonlySet<string> = new Set([
  "aio_request_latency",
  "aio_request_transport_latency",
  "aio_request_server_latency"
])

/**
 * How the metric `name` is exported: `"drop"` (a runtime metric, and runtime
 * metrics were not asked for), `"seconds"` (declared with unit `s`) or `"keep"`.
 */
export const metricView = (
  name: string,
  runtimeMetrics: boolean,
  isRuntimeMetric: (name: string) => boolean
): "drop" | "seconds" | "keep" =>
  !runtimeMetrics && isRuntimeMetric(name) ? "drop" : secondsHistograms.has(name) ? "seconds" : "keep"

/**
 * The URL a signal is pushed to, as `OTEL_EXPORTER_OTLP_ENDPOINT` reads
 * `base`: `<base>/v1/metrics` or `<base>/v1/traces` (trailing slashes of the
 * base's path dropped).
 */
export const signalUrl = (base: string, signal: "metrics" | "traces"): string => {
  const url = new URL(base)
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/${signal}`
  return url.href
}
