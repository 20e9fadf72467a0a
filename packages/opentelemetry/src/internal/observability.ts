import { Options } from "@aio-request/core"
import * as ExportOptions from "@aio-request/kernel/observability/options"
import * as Endpoint from "@aio-request/kernel/prometheus/endpoint"
import * as PrometheusFormat from "@aio-request/kernel/prometheus/format"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { AggregationTemporality, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import type { InstrumentType, PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import type * as Stream from "node:stream"
import * as Zlib from "node:zlib"
import type * as Api from "../Observability.js"
import * as Prometheus from "./prometheus.js"
import { isRuntimeMetric } from "./prometheusFormat.js"

// ---------------------------------------------------------------------------
// tags and errors
// ---------------------------------------------------------------------------

/** @internal */
export class PrometheusEndpoint extends Context.Tag("@aio-request/opentelemetry/PrometheusEndpoint")<
  Api.PrometheusEndpoint,
  Api.PrometheusEndpoint.Service
>() {}

/** @internal */
export class PrometheusServeError extends Data.TaggedError("PrometheusServeError")<{
  readonly host: string
  readonly port: number
  readonly cause: unknown
}> {
  override get message() {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `cannot serve Prometheus metrics on ${this.host}:${this.port}: ${reason}`
  }
}

// ---------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------

const port = (where: string, value: unknown): number => {
  const expected = ExportOptions.port(value)
  return expected === undefined ? value as number : Options.fail(where, "port", expected, value)
}

const path = (where: string, value: unknown): string => {
  const expected = ExportOptions.path(value)
  return expected === undefined ? value as string : Options.fail(where, "path", expected, value)
}

const httpUrl = (where: string, option: string, value: unknown): URL => {
  const url = typeof value === "string" && URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return Options.fail(where, option, "an absolute http:// or https:// URL", value)
  }
  return url
}

/** A record of strings (`headers`, `attributes`), copied. */
const stringRecord = (where: string, option: string, value: unknown): Record<string, string> | undefined => {
  if (value === undefined) return undefined
  const fault = ExportOptions.stringRecord(value)
  if (fault !== undefined) {
    const [entry, expected] = fault
    const at = entry === "" ? option : `${option}.${entry}`
    return Options.fail(where, at, expected, entry === "" ? value : (value as Record<string, unknown>)[entry])
  }
  return { ...(value as Record<string, string>) }
}

// ---------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------

const resourceOf = (
  where: string,
  options: {
    readonly serviceName?: string | undefined
    readonly serviceVersion?: string | undefined
    readonly attributes?: Readonly<Record<string, string>> | undefined
  },
  required: boolean
): NodeSdk.Configuration["resource"] => {
  // every option is checked, even those that are unused without a serviceName
  const serviceVersion = options.serviceVersion === undefined
    ? undefined
    : Options.string(where, "serviceVersion", options.serviceVersion, { nonEmpty: true })
  const attributes = stringRecord(where, "attributes", options.attributes)
  if (options.serviceName === undefined && !required) return undefined
  return {
    serviceName: Options.string(where, "serviceName", options.serviceName!, { nonEmpty: true }),
    ...(serviceVersion !== undefined ? { serviceVersion } : {}),
    ...(attributes !== undefined ? { attributes } : {})
  }
}

const urlHost = (host: string): string => host.includes(":") ? `[${host}]` : host

const listen = (
  host: string,
  requestedPort: number,
  handler: Http.RequestListener
): Effect.Effect<Http.Server, PrometheusServeError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Http.Server, PrometheusServeError>((resume) => {
      const server = Http.createServer(handler)
      const onError = (cause: Error) =>
        resume(Effect.fail(new PrometheusServeError({ host, port: requestedPort, cause })))
      server.once("error", onError)
      server.listen({ host, port: requestedPort }, () => {
        server.off("error", onError)
        resume(Effect.succeed(server))
      })
      return Effect.sync(() => {
        server.close()
      })
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

/** Turns Effect's runtime metrics on for what is built and run under the layer. */
const enableRuntimeMetrics: Layer.Layer<never> = RuntimeFlags.enableRuntimeMetrics

const preambleOf = (resource: NodeSdk.Configuration["resource"]): string => {
  const labels = Endpoint.targetInfoLabels(
    resource?.serviceName ?? process.env.OTEL_SERVICE_NAME,
    resource?.serviceVersion,
    resource?.attributes as Readonly<Record<string, string>> | undefined
  )
  return labels === undefined ? "" : PrometheusFormat.targetInfo(labels)
}

/** @internal */
export const layerPrometheus = (
  options: Api.PrometheusOptions = {}
): Layer.Layer<Api.PrometheusEndpoint, Api.PrometheusServeError> => {
  const where = "Observability.layerPrometheus"
  Options.record(where, "options", options)
  const host = Options.string(where, "host", options.host ?? "127.0.0.1", { nonEmpty: true })
  const requestedPort = port(where, options.port ?? 9464)
  const metricsPath = path(where, options.path ?? "/metrics")
  const resource = resourceOf(where, options, false)
  const runtimeMetrics = Options.boolean(where, "runtimeMetrics", options.runtimeMetrics ?? false)
  const writeOptions: Prometheus.WriteOptions = { runtimeMetrics, preamble: preambleOf(resource) }
  const served = Layer.scoped(
    PrometheusEndpoint,
    Effect.gen(function*() {
      const runtime = yield* Effect.runtime<never>()
      const cache = Prometheus.makeCache()
      const server = yield* listen(host, requestedPort, (request, response) => {
        const pathname = URL.canParse(request.url ?? "/", "http://localhost")
          ? new URL(request.url ?? "/", "http://localhost").pathname
          : undefined
        const answer = Endpoint.answer(request.method, pathname, metricsPath)
        if (answer === 404 || answer === 405) {
          response.statusCode = answer
          if (answer === 405) response.setHeader("allow", "GET, HEAD")
          response.end()
          return
        }
        response.statusCode = 200
        response.setHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        response.setHeader("vary", "accept-encoding")
        if (answer === "head") {
          response.end()
          return
        }
        // the text is written as it is made, in slices that give the event
        // loop back; gzip runs off the event loop, in libuv's thread pool
        let target: Stream.Writable = response
        if (Endpoint.acceptsGzip(request.headers["accept-encoding"])) {
          response.setHeader("content-encoding", "gzip")
          const gzip = Zlib.createGzip()
          gzip.pipe(response)
          target = gzip
        }
        const sink: Prometheus.Sink = {
          write: (chunk) => target.write(chunk),
          // (a 'drain' may already have been emitted if the fiber yielded
          // between the write and this wait)
          drained: Effect.async<void>((resume) => {
            if (!target.writableNeedDrain) return resume(Effect.void)
            const onDrain = () => resume(Effect.void)
            target.once("drain", onDrain)
            return Effect.sync(() => target.off("drain", onDrain))
          })
        }
        const fiber = Runtime.runFork(runtime)(Prometheus.write(cache, writeOptions, sink))
        fiber.addObserver((exit) => {
          if (Exit.isSuccess(exit)) target.end()
          else response.destroy()
        })
        response.once("close", () => {
          if (fiber.unsafePoll() === null) fiber.unsafeInterruptAsFork(FiberId.none)
        })
      })
      const bound = (server.address() as Net.AddressInfo).port
      return {
        host,
        port: bound,
        path: metricsPath,
        url: `http://${urlHost(host)}:${bound}${metricsPath}`
      }
    })
  )
  return runtimeMetrics ? Layer.merge(served, enableRuntimeMetrics) : served
}

// ---------------------------------------------------------------------------
// OTLP
// ---------------------------------------------------------------------------

/**
 * The latency histograms of `HttpMetrics` (names fixed by the API), in seconds.
 * Effect's bridge declares every metric with unit "1" (it reads a unit only
 * from a `unit` label, which would show up in every series).
 */
const secondsHistograms: ReadonlySet<string> = new Set([
  "aio_request_latency",
  "aio_request_transport_latency",
  "aio_request_server_latency"
])

/**
 * The OTLP metric exporter, with the latency histograms declared in seconds
 * (`s`) and Effect's runtime metrics left out unless asked for.
 */
class SecondsExporter implements PushMetricExporter {
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
        metrics: scope.metrics.flatMap((metric) =>
          !this.runtimeMetrics && isRuntimeMetric(metric.descriptor.name)
            ? []
            : secondsHistograms.has(metric.descriptor.name)
            ? [{ ...metric, descriptor: { ...metric.descriptor, unit: "s" } }]
            : [metric]
        )
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

const signalUrl = (base: URL, signal: "metrics" | "traces"): string => {
  const url = new URL(base.href)
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/${signal}`
  return url.href
}

/** @internal */
export const layerOtlp = (options: Api.OtlpOptions): Layer.Layer<never> => {
  const where = "Observability.layerOtlp"
  Options.record(where, "options", options)
  const base = httpUrl(where, "url", options.url)
  const resource = resourceOf(where, options, true)
  const extraHeaders = stringRecord(where, "headers", options.headers)
  const metrics = Options.boolean(where, "metrics", options.metrics ?? true)
  const traces = Options.boolean(where, "traces", options.traces ?? true)
  const runtimeMetrics = Options.boolean(where, "runtimeMetrics", options.runtimeMetrics ?? false)
  const interval = Options.duration(where, "exportInterval", options.exportInterval ?? "10 seconds", { positive: true })
  const timeout = Duration.min(
    Options.duration(where, "exportTimeout", options.exportTimeout ?? "10 seconds", { positive: true }),
    interval
  )
  const shutdownTimeout = Options.duration(where, "shutdownTimeout", options.shutdownTimeout ?? "5 seconds", {
    positive: true
  })
  const processorKind = Options.oneOf(where, "spanProcessor", options.spanProcessor ?? "batch", ["batch", "simple"])
  const timeoutMillis = Duration.toMillis(timeout)
  const exporterConfig = (signal: "metrics" | "traces") => ({
    url: signalUrl(base, signal),
    timeoutMillis,
    ...(extraHeaders !== undefined ? { headers: extraHeaders } : {})
  })
  // Exporters are created when the layer is built, so the layer can be built
  // (and shut down) more than once.
  const sdk = Layer.discard(NodeSdk.layer((): NodeSdk.Configuration => {
    const spanProcessor: SpanProcessor | undefined = !traces ? undefined : processorKind === "simple"
      ? new SimpleSpanProcessor(new OTLPTraceExporter(exporterConfig("traces")))
      : new BatchSpanProcessor(new OTLPTraceExporter(exporterConfig("traces")), { exportTimeoutMillis: timeoutMillis })
    const metricReader = !metrics ? undefined : new PeriodicExportingMetricReader({
      exporter: new SecondsExporter(new OTLPMetricExporter(exporterConfig("metrics")), runtimeMetrics),
      exportIntervalMillis: Duration.toMillis(interval),
      exportTimeoutMillis: timeoutMillis
    })
    return {
      resource,
      shutdownTimeout,
      ...(spanProcessor !== undefined ? { spanProcessor } : {}),
      ...(metricReader !== undefined ? { metricReader } : {})
    }
  }))
  return runtimeMetrics ? Layer.merge(sdk, enableRuntimeMetrics) : sdk
}
