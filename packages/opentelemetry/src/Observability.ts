/**
 * Export of the aio-request metrics (`@aio-request/platform`'s `HttpMetrics`,
 * and every other Effect `Metric` of the process's registry) and of Effect's
 * spans: a Prometheus scrape endpoint, or a push over OTLP/HTTP (JSON) to an
 * OpenTelemetry collector. The same metric names, labels and units on both
 * Effect lines (docs/effect4.md, "Observability"). Each is one `Layer`; provide it once, at the edge
 * of the application.
 *
 * The resilient client records a span `aio_request.request` per logical
 * request with a child `aio_request.attempt` per attempt (attributes
 * `aio_request.attempt`, `aio_request.attempt.kind` = `first | hedge | retry`,
 * `aio_request.verdict`); the server spans continue the caller's trace.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type { DurationInput } from "./internal/line.js"
import * as internal from "./internal/observability.js"

/**
 * Options of {@link layerPrometheus}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrometheusOptions {
  /** Interface to listen on. Default `"127.0.0.1"`. */
  readonly host?: string | undefined
  /** TCP port, 0 for any free port (see {@link PrometheusEndpoint}). Default 9464. */
  readonly port?: number | undefined
  /** Path of the scrape endpoint. Default `"/metrics"`. */
  readonly path?: string | undefined
  /** `service.name` of the resource (shown in `target_info`). Default: `OTEL_SERVICE_NAME`, if set. */
  readonly serviceName?: string | undefined
  /** `service.version` of the resource. */
  readonly serviceVersion?: string | undefined
  /** Further resource attributes. */
  readonly attributes?: Readonly<Record<string, string>> | undefined
  /**
   * Export Effect's runtime metrics (Effect 3: `effect_fiber_*`, Effect 4:
   * `child_fibers_*` and `child_fiber_*`) too, and turn their
   * recording on for what runs under this layer. Default `false`: they are
   * left out of the scrape.
   */
  readonly runtimeMetrics?: boolean | undefined
}

/**
 * Options of {@link layerOtlp}.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtlpOptions {
  /**
   * Base URL of the OTLP/HTTP receiver, as `OTEL_EXPORTER_OTLP_ENDPOINT`:
   * metrics go to `<url>/v1/metrics`, spans to `<url>/v1/traces`.
   */
  readonly url: string
  /** `service.name` of the resource. */
  readonly serviceName: string
  /** `service.version` of the resource. */
  readonly serviceVersion?: string | undefined
  /** Further resource attributes. */
  readonly attributes?: Readonly<Record<string, string>> | undefined
  /** Headers sent with every export (e.g. an API key). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Push metrics. Default `true`. */
  readonly metrics?: boolean | undefined
  /** Push spans, and make Effect's tracer an OTLP tracer. Default `true`. */
  readonly traces?: boolean | undefined
  /** How often metrics are pushed. Default `"10 seconds"`. */
  readonly exportInterval?: DurationInput | undefined
  /** Timeout of one export (capped by `exportInterval`). Default `"10 seconds"`. */
  readonly exportTimeout?: DurationInput | undefined
  /**
   * `"batch"` (default) exports spans in batches; `"simple"` exports each span
   * as it ends (for tests and short scripts).
   */
  readonly spanProcessor?: "batch" | "simple" | undefined
  /** How long the final flush may take when the layer is released. Default `"5 seconds"`. */
  readonly shutdownTimeout?: DurationInput | undefined
  /**
   * Push Effect's runtime metrics (Effect 3: `effect_fiber_*`, Effect 4:
   * `child_fibers_*` and `child_fiber_*`) too, and turn their
   * recording on for what runs under this layer. Default `false`.
   */
  readonly runtimeMetrics?: boolean | undefined
}

/**
 * Where {@link layerPrometheus} listens: with `port: 0`, the port actually bound.
 *
 * @example
 * import { Observability } from "@aio-request/opentelemetry"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const { url } = yield* Observability.PrometheusEndpoint
 *   yield* Effect.log(`scrape ${url}`)
 * }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 })))
 *
 * @since 0.1.0
 * @category tags
 */
export const PrometheusEndpoint: typeof internal.PrometheusEndpoint = internal.PrometheusEndpoint

/**
 * The service of {@link PrometheusEndpoint}, in a layer's or an effect's requirements.
 *
 * @since 0.1.0
 * @category tags
 */
export type PrometheusEndpoint = internal.PrometheusEndpoint

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace PrometheusEndpoint {
  /**
   * @since 0.1.0
   */
  export interface Service {
    readonly host: string
    readonly port: number
    readonly path: string
    /** e.g. `http://127.0.0.1:9464/metrics` */
    readonly url: string
  }
}

/**
 * The scrape endpoint could not listen (port taken, address not available).
 *
 * @since 0.1.0
 * @category errors
 */
export const PrometheusServeError: typeof internal.PrometheusServeError = internal.PrometheusServeError

/**
 * @since 0.1.0
 * @category errors
 */
export type PrometheusServeError = internal.PrometheusServeError

/**
 * Serves the process's Effect metrics for a Prometheus scrape, in the text
 * exposition format (0.0.4): histograms as `name_bucket{...,le="0.005"}`,
 * `name_sum`, `name_count`; counters as `name_total`. Series carry only the
 * metric's own labels. Effect's runtime metrics are left out unless
 * `runtimeMetrics` is set. The text is written from Effect's metric registry
 * straight into 64 KiB buffers, in slices of a few milliseconds that give
 * the event loop back in between (also while the socket drains), and gzipped
 * (off the event loop) when the scraper sends `Accept-Encoding: gzip`: a
 * scrape of 10,000 label sets holds the event loop for no more than a few
 * slices at a time. The server closes when the layer is released.
 *
 * Fails with {@link PrometheusServeError} when it cannot listen. Invalid
 * options (port outside [0, 65535], path not starting with `/`) are refused
 * at once (Effect 3: `IllegalArgumentException`, Effect 4: `IllegalArgumentError`).
 *
 * @example
 * import { Observability } from "@aio-request/opentelemetry"
 * import * as Layer from "effect/Layer"
 *
 * const Telemetry = Observability.layerPrometheus({ port: 9464, serviceName: "users-api" })
 * // Layer.launch(Layer.provide(HttpLive, Telemetry))
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPrometheus: (
  options?: PrometheusOptions
) => Layer.Layer<PrometheusEndpoint, PrometheusServeError> = internal.layerPrometheus

/**
 * Pushes the process's Effect metrics (every `exportInterval`, and once more
 * when the layer is released) and Effect's spans to an OTLP/HTTP receiver,
 * JSON-encoded. Effect 3 exports through the OpenTelemetry SDK
 * (`@effect/opentelemetry`), Effect 4 through Effect's own OTLP modules
 * (`effect/observability`, no SDK) over `fetch`. With `traces` on, Effect's
 * tracer becomes an OTLP tracer, so `Effect.withSpan`, the resilient client's
 * request and attempt spans and the HTTP client's and server's spans are
 * exported, and `traceparent` propagates across services.
 *
 * A failed export never fails the application: Effect 3 reports it through
 * OpenTelemetry's diagnostics, Effect 4 logs a warning (and its exporter then
 * pauses for a minute). Invalid options are refused at once (Effect 3:
 * `IllegalArgumentException`, Effect 4: `IllegalArgumentError`).
 *
 * @example
 * import { Observability } from "@aio-request/opentelemetry"
 *
 * const Telemetry = Observability.layerOtlp({
 *   url: "http://127.0.0.1:4318",
 *   serviceName: "users-api",
 *   exportInterval: "15 seconds"
 * })
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlp: (options: OtlpOptions) => Layer.Layer<never> = internal.layerOtlp
