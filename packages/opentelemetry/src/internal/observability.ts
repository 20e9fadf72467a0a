import { Options } from "@aio-request/core"
import * as ExportOptions from "@aio-request/kernel/observability/options"
import * as Endpoint from "@aio-request/kernel/prometheus/endpoint"
import * as PrometheusFormat from "@aio-request/kernel/prometheus/format"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import type * as Stream from "node:stream"
import * as Zlib from "node:zlib"
import type * as Api from "../Observability.js"
import * as Line from "./line.js"
import * as Otlp from "./otlp.js"
import * as Prometheus from "./prometheus.js"

// ---------------------------------------------------------------------------
// services and errors
// ---------------------------------------------------------------------------

/** @internal */
export class PrometheusEndpoint extends Line.Service<PrometheusEndpoint, Api.PrometheusEndpoint.Service>()(
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

/**
 * The resource of an export (`service.name`, …).
 *
 * @internal
 */
export interface Resource {
  readonly serviceName: string
  readonly serviceVersion?: string
  readonly attributes?: Record<string, string>
}

/**
 * `layerOtlp`'s options, checked: what each line's exporter (`otlp.ts`) is built from.
 *
 * @internal
 */
export interface OtlpConfig {
  /** The base URL: metrics go to `<url>/v1/metrics`, spans to `<url>/v1/traces`. */
  readonly url: string
  readonly resource: Resource
  readonly headers: Record<string, string> | undefined
  readonly metrics: boolean
  readonly traces: boolean
  readonly runtimeMetrics: boolean
  readonly interval: Duration.Duration
  /** One export's timeout, at most `interval`. */
  readonly timeout: Duration.Duration
  readonly shutdownTimeout: Duration.Duration
  readonly spanProcessor: "batch" | "simple"
}

// ---------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------

/** `value` if `check` finds nothing wrong with it, else the refusal naming `option`. */
const checked = <A>(where: string, option: string, value: unknown, expected: string | undefined): A =>
  expected === undefined ? value as A : Options.fail(where, option, expected, value)

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

/** `layer`, with Effect's runtime metrics turned on when asked for. */
const withRuntimeMetrics = <A, E>(layer: Layer.Layer<A, E>, runtimeMetrics: boolean): Layer.Layer<A, E> =>
  runtimeMetrics ? Layer.merge(layer, Line.enableRuntimeMetrics) : layer

// ---------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------

const listen = (
  host: string,
  requestedPort: number,
  handler: Http.RequestListener
): Effect.Effect<Http.Server, PrometheusServeError, Scope.Scope> =>
  Effect.acquireRelease(
    Line.callback<Http.Server, PrometheusServeError>((resume) => {
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
      Line.callback<void>((resume) => {
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
  const port = options.port ?? 9464
  const requestedPort = checked<number>(where, "port", port, ExportOptions.port(port))
  const path = options.path ?? "/metrics"
  const metricsPath = checked<string>(where, "path", path, ExportOptions.path(path))
  const resource = resourceOf(where, options, false)
  const runtimeMetrics = Options.boolean(where, "runtimeMetrics", options.runtimeMetrics ?? false)
  const writeOptions: Prometheus.WriteOptions = { runtimeMetrics, preamble: preambleOf(resource) }
  const served = Line.scopedLayer(
    PrometheusEndpoint,
    Effect.gen(function*() {
      const fork = yield* Line.forker
      const cache = Prometheus.makeCache()
      const server = yield* listen(host, requestedPort, (request, response) => {
        const answer = Endpoint.answer(request.method, Endpoint.pathnameOf(request.url), metricsPath)
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
          drained: Line.callback<void>((resume) => {
            if (!target.writableNeedDrain) return resume(Effect.void)
            const onDrain = () => resume(Effect.void)
            target.once("drain", onDrain)
            return Effect.sync(() => target.off("drain", onDrain))
          })
        }
        const fiber = fork(Prometheus.write(cache, writeOptions, sink))
        fiber.addObserver((exit) => {
          if (Exit.isSuccess(exit)) target.end()
          else response.destroy()
        })
        response.once("close", () => {
          if (!Line.isDone(fiber)) Line.interruptUnsafe(fiber)
        })
      })
      const bound = (server.address() as Net.AddressInfo).port
      return { host, port: bound, path: metricsPath, url: Endpoint.urlOf(host, bound, metricsPath) }
    })
  )
  return withRuntimeMetrics(served, runtimeMetrics)
}

// ---------------------------------------------------------------------------
// OTLP
// ---------------------------------------------------------------------------

/** @internal */
export const layerOtlp = (options: Api.OtlpOptions): Layer.Layer<never> => {
  const where = "Observability.layerOtlp"
  Options.record(where, "options", options)
  const url = checked<string>(where, "url", options.url, ExportOptions.httpUrl(options.url))
  const resource = resourceOf(where, options, true)!
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
  const spanProcessor = Options.oneOf(where, "spanProcessor", options.spanProcessor ?? "batch", ["batch", "simple"])
  const exported = Otlp.layer({
    url,
    resource,
    headers,
    metrics,
    traces,
    runtimeMetrics,
    interval,
    timeout,
    shutdownTimeout,
    spanProcessor
  })
  return withRuntimeMetrics(exported, runtimeMetrics)
}
