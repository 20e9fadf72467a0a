import { Options } from "@aio-request/core"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import type * as Api from "../Observability.js"
import { PrometheusEndpoint, PrometheusServeError } from "../Observability.js"

// ---------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------

const port = (where: string, value: unknown): number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535
    ? value
    : Options.fail(where, "port", "an integer in [0, 65535] (0 picks a free port)", value)

const path = (where: string, value: unknown): string =>
  typeof value === "string" && value.startsWith("/") && !value.includes("?") && !value.includes("#")
    ? value
    : Options.fail(where, "path", "an absolute path such as \"/metrics\"", value)

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
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Options.fail(where, option, "a record of strings", value)
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") Options.fail(where, `${option}.${key}`, "a string", entry)
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

/** @internal */
export const layerPrometheus = (
  options: Api.PrometheusOptions = {}
): Layer.Layer<PrometheusEndpoint, PrometheusServeError> => {
  const where = "Observability.layerPrometheus"
  Options.record(where, "options", options)
  const host = Options.string(where, "host", options.host ?? "127.0.0.1", { nonEmpty: true })
  const requestedPort = port(where, options.port ?? 9464)
  const metricsPath = path(where, options.path ?? "/metrics")
  const resource = resourceOf(where, options, false)
  return Layer.unwrapScoped(Effect.gen(function*() {
    // The exporter's own server cannot bind port 0 (it falls back to 9464) nor
    // report a bind failure: we serve its handler from our own server instead.
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true })
    const server = yield* listen(host, requestedPort, (request, response) => {
      const pathname = URL.canParse(request.url ?? "/", "http://localhost")
        ? new URL(request.url ?? "/", "http://localhost").pathname
        : undefined
      if (pathname !== metricsPath) {
        response.statusCode = 404
        response.end()
        return
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.statusCode = 405
        response.setHeader("allow", "GET, HEAD")
        response.end()
        return
      }
      exporter.getMetricsRequestHandler(request, response)
    })
    const bound = (server.address() as Net.AddressInfo).port
    const endpoint: Api.PrometheusEndpoint.Service = {
      host,
      port: bound,
      path: metricsPath,
      url: `http://${urlHost(host)}:${bound}${metricsPath}`
    }
    return Layer.merge(
      Layer.succeed(PrometheusEndpoint, endpoint),
      Layer.discard(NodeSdk.layer(() => ({ metricReader: exporter, resource })))
    )
  }))
}

// ---------------------------------------------------------------------------
// OTLP
// ---------------------------------------------------------------------------

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
  return Layer.discard(NodeSdk.layer((): NodeSdk.Configuration => {
    const spanProcessor: SpanProcessor | undefined = !traces ? undefined : processorKind === "simple"
      ? new SimpleSpanProcessor(new OTLPTraceExporter(exporterConfig("traces")))
      : new BatchSpanProcessor(new OTLPTraceExporter(exporterConfig("traces")), { exportTimeoutMillis: timeoutMillis })
    const metricReader = !metrics ? undefined : new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(exporterConfig("metrics")),
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
}
