import * as Otlp from "@aio-request/kernel/observability/otlp"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { AggregationTemporality, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import type { InstrumentType, PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Line from "./line.js"
import type { OtlpConfig } from "./observability.js"

/**
 * The OTLP export on Effect 3: the OpenTelemetry SDK through
 * `@effect/opentelemetry`'s `NodeSdk` (Effect 3 has no exporter of its own),
 * its OTLP/HTTP JSON exporters, and a wrapper of the metric exporter that
 * applies the kernel's view of each metric (runtime metrics left out, the
 * latency histograms in seconds). effect4/opentelemetry has its own, over
 * Effect 4's `effect/observability`.
 */

/** The OTLP metric exporter, each metric exported as the kernel's `metricView` says. */
class ViewExporter implements PushMetricExporter {
  private readonly exporter: PushMetricExporter
  private readonly runtimeMetrics: boolean

  constructor(exporter: PushMetricExporter, runtimeMetrics: boolean) {
    this.exporter = exporter
    this.runtimeMetrics = runtimeMetrics
  }
  export(metrics: ResourceMetrics, resultCallback: Parameters<PushMetricExporter["export"]>[1]): void {
    this.exporter.export({
      ...metrics,
      scopeMetrics: metrics.scopeMetrics.map((scope) => ({
        ...scope,
        metrics: scope.metrics.flatMap((metric) => {
          switch (Otlp.metricView(metric.descriptor.name, this.runtimeMetrics, Line.isRuntimeMetric)) {
            case "drop":
              return []
            case "seconds":
              return [{ ...metric, descriptor: { ...metric.descriptor, unit: "s" } }]
            case "keep":
              return [metric]
          }
        })
      }))
    }, resultCallback)
  }
  forceFlush(): Promise<void> {
    return this.exporter.forceFlush()
  }
  shutdown(): Promise<void> {
    return this.exporter.shutdown()
  }
  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.exporter.selectAggregationTemporality?.(instrumentType) ?? AggregationTemporality.CUMULATIVE
  }
}

/** @internal */
export const layer = (config: OtlpConfig): Layer.Layer<never> => {
  const timeoutMillis = Duration.toMillis(config.timeout)
  const exporterConfig = (signal: "metrics" | "traces") => ({
    url: Otlp.signalUrl(config.url, signal),
    timeoutMillis,
    ...(config.headers !== undefined ? { headers: config.headers } : {})
  })
  // Exporters are created when the layer is built, so the layer can be built
  // (and shut down) more than once.
  return Layer.discard(NodeSdk.layer((): NodeSdk.Configuration => {
    const spanProcessor: SpanProcessor | undefined = !config.traces
      ? undefined
      : config.spanProcessor === "simple"
      ? new SimpleSpanProcessor(new OTLPTraceExporter(exporterConfig("traces")))
      : new BatchSpanProcessor(new OTLPTraceExporter(exporterConfig("traces")), { exportTimeoutMillis: timeoutMillis })
    const metricReader = !config.metrics ? undefined : new PeriodicExportingMetricReader({
      exporter: new ViewExporter(new OTLPMetricExporter(exporterConfig("metrics")), config.runtimeMetrics),
      exportIntervalMillis: Duration.toMillis(config.interval),
      exportTimeoutMillis: timeoutMillis
    })
    return {
      resource: config.resource,
      shutdownTimeout: config.shutdownTimeout,
      ...(spanProcessor !== undefined ? { spanProcessor } : {}),
      ...(metricReader !== undefined ? { metricReader } : {})
    }
  }))
}
