import { Options } from "@aio-request/core"
import * as ExportOptions from "@aio-request/kernel/observability/options"
import * as Endpoint from "@aio-request/kernel/prometheus/endpoint"
import * as PrometheusFormat from "@aio-request/kernel/prometheus/format"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import type * as OtlpExporter from "effect/observability/OtlpExporter"
import type { MetricsData } from "effect/observability/OtlpMetrics"
import * as OtlpMetrics from "effect/observability/OtlpMetrics"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import type * as Stream from "node:stream"
import * as Zlib from "node:zlib"
import type * as Api from "../Observability.js"
import * as Prometheus from "./prometheus.js"

// ---------------------------------------------------------------------------
// services and errors
// ---------------------------------------------------------------------------

/** @internal */
export class PrometheusEndpoint extends Context.Service<PrometheusEndpoint, Api.PrometheusEndpoint.Service>()(
  "@aio-request/opentelemetry/PrometheusEndpoint"
) {}

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

interface Resource {
  readonly serviceName: string
  readonly serviceVersion?: string
  readonly attributes?: Record<string, string>
}

const resourceOf = (
  where: string,
  options: {
    readonly serviceName?: string | undefined
    readonly serviceVersion?: string | undefined
    readonly attributes?: Readonly<Record<string, string>> | undefined
  },
  required: boolean
): Resource | undefined => {
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

// ---------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------

const urlHost = (host: string): string => host.includes(":") ? `[${host}]` : host

const listen = (
  host: string,
  requestedPort: number,
  handler: Http.RequestListener
): Effect.Effect<Http.Server, PrometheusServeError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<Http.Server, PrometheusServeError>((resume) => {
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
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

const preambleOf = (resource: Resource | undefined): string => {
  const labels = Endpoint.targetInfoLabels(
    resource?.serviceName ?? process.env.OTEL_SERVICE_NAME,
    resource?.serviceVersion,
    resource?.attributes
  )
  return labels === undefined ? "" : PrometheusFormat.targetInfo(labels)
}

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
  const runtimeMetrics = Options.boolean(where, "runtimeMetrics", options.runtimeMetrics ?? false)
  const writeOptions: Prometheus.WriteOptions = { runtimeMetrics, preamble: preambleOf(resource) }
  const served = Layer.effect(
    PrometheusEndpoint,
    Effect.gen(function*() {
      const context = yield* Effect.context<never>()
      const registry = yield* Metric.MetricRegistry
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
          drained: Effect.callback<void>((resume) => {
            if (!target.writableNeedDrain) return resume(Effect.void)
            const onDrain = () => resume(Effect.void)
            target.once("drain", onDrain)
            return Effect.sync(() => target.off("drain", onDrain))
          })
        }
        const fiber = Effect.runForkWith(context)(Prometheus.write(registry, context, cache, writeOptions, sink))
        fiber.addObserver((exit) => {
          if (Exit.isSuccess(exit)) target.end()
          else response.destroy()
        })
        response.once("close", () => {
          if (fiber.pollUnsafe() === undefined) fiber.interruptUnsafe()
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
  return runtimeMetrics ? Layer.merge(served, Metric.enableRuntimeMetricsLayer) : served
}

// ---------------------------------------------------------------------------
// OTLP
// ---------------------------------------------------------------------------

/**
 * The latency histograms of `HttpMetrics` (names fixed by the API), in
 * seconds. Effect's exporter reads a unit only from a `unit` attribute
 * (which would show up in every series): the serialisation sets it instead.
 */
const secondsHistograms: ReadonlySet<string> = new Set([
  "aio_request_latency",
  "aio_request_transport_latency",
  "aio_request_server_latency"
])

/**
 * OTLP/HTTP JSON, with the latency histograms declared in seconds (`s`) and
 * Effect's runtime metrics left out unless asked for.
 */
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
              metrics: scope.metrics.flatMap((metric) =>
                !runtimeMetrics && Prometheus.isRuntimeMetric(metric.name)
                  ? []
                  : secondsHistograms.has(metric.name)
                  ? [{ ...metric, unit: "s" }]
                  : [metric]
              )
            }))
          }))
        })
    }))
  ).pipe(Layer.provide(OtlpSerialization.layerJson))

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
  const headers = stringRecord(where, "headers", options.headers)
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
  const common = {
    resource,
    ...(headers !== undefined ? { headers } : {}),
    shutdownTimeout
  }
  const layers: Array<
    Layer.Layer<OtlpExporter.Flusher, never, HttpClient.HttpClient | OtlpSerialization.OtlpSerialization>
  > = []
  if (metrics) {
    layers.push(OtlpMetrics.layer({ ...common, url: signalUrl(base, "metrics"), exportInterval: interval }))
  }
  if (traces) {
    layers.push(OtlpTracer.layer({
      ...common,
      url: signalUrl(base, "traces"),
      // "simple": each span is exported as it ends
      ...(processorKind === "simple" ? { maxBatchSize: 1 } : {})
    }))
  }
  // each export is bounded by exportTimeout; a failed export is logged, never raised
  const client = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) => HttpClient.timeout(client, timeout))
  ).pipe(Layer.provide(FetchHttpClient.layer))
  // The exporters' layer also puts Effect's tracer (a Context.Reference, not in its type) in
  // the context: it is returned as it is, its Flusher left out of the type.
  const exported = (layers.length === 0
    ? Layer.empty
    : Layer.mergeAll(...(layers as [(typeof layers)[number]])).pipe(
      Layer.provide(Layer.merge(client, serialization(runtimeMetrics)))
    )) as Layer.Layer<never>
  return runtimeMetrics ? Layer.merge(exported, Metric.enableRuntimeMetricsLayer) : exported
}
