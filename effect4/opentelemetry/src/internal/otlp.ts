import * as Otlp from "@aio-request/kernel/observability/otlp"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as OtlpExporter from "effect/observability/OtlpExporter"
import type { MetricsData } from "effect/observability/OtlpMetrics"
import * as OtlpMetrics from "effect/observability/OtlpMetrics"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"
import * as Line from "./line.js"
import type { OtlpConfig } from "./observability.js"

/**
 * The OTLP export on Effect 4: Effect's own `effect/observability` modules
 * (`OtlpMetrics`, `OtlpTracer`; no OpenTelemetry SDK) over `fetch`, with a
 * serialisation that applies the kernel's view of each metric (runtime
 * metrics left out, the latency histograms in seconds: Effect's exporter
 * reads a unit only from a `unit` attribute, which would show up in every
 * series). packages/opentelemetry has its own, over the OpenTelemetry SDK.
 */

/** OTLP/HTTP JSON, each metric serialised as the kernel's `metricView` says. */
const serialization = (runtimeMetrics: boolean): Layer.Layer<OtlpSerialization.OtlpSerialization> =>
  Layer.effect(
    OtlpSerialization.OtlpSerialization,
    Effect.map(OtlpSerialization.OtlpSerialization, (json) => ({
      ...json,
      metrics: (data: MetricsData) =>
        json.metrics({
          resourceMetrics: data.resourceMetrics.map((resourceMetrics) => ({
            ...resourceMetrics,
            scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
              ...scope,
              metrics: scope.metrics.flatMap((metric) => {
                switch (Otlp.metricView(metric.name, runtimeMetrics, Line.isRuntimeMetric)) {
                  case "drop":
                    return []
                  case "seconds":
                    return [{ ...metric, unit: "s" }]
                  case "keep":
                    return [metric]
                }
              })
            }))
          }))
        })
    }))
  ).pipe(Layer.provide(OtlpSerialization.layerJson))

/** @internal */
export const layer = (config: OtlpConfig): Layer.Layer<never> => {
  const common = {
    resource: config.resource,
    ...(config.headers !== undefined ? { headers: config.headers } : {}),
    shutdownTimeout: config.shutdownTimeout
  }
  const layers: Array<
    Layer.Layer<OtlpExporter.Flusher, never, HttpClient.HttpClient | OtlpSerialization.OtlpSerialization>
  > = []
  if (config.metrics) {
    layers.push(OtlpMetrics.layer({
      ...common,
      url: Otlp.signalUrl(config.url, "metrics"),
      exportInterval: config.interval
    }))
  }
  if (config.traces) {
    layers.push(OtlpTracer.layer({
      ...common,
      url: Otlp.signalUrl(config.url, "traces"),
      // "simple": each span is exported as it ends
      ...(config.spanProcessor === "simple" ? { maxBatchSize: 1 } : {})
    }))
  }
  // each export is bounded by exportTimeout; a failed export is logged, never raised
  const client = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) => HttpClient.timeout(client, config.timeout))
  ).pipe(Layer.provide(FetchHttpClient.layer))
  // The exporters' layer also puts Effect's tracer (a Context.Reference, not in its type) in
  // the context: it is returned as it is, its Flusher left out of the type.
  return (layers.length === 0
    ? Layer.empty
    : Layer.mergeAll(...(layers as [(typeof layers)[number]])).pipe(
      Layer.provide(Layer.merge(client, serialization(config.runtimeMetrics)))
    )) as Layer.Layer<never>
}
