/**
 * What the client records, read from the outcome records: the metrics of a
 * route (handles resolved once per endpoint and route, updated without
 * building a metric key; what the caller's fiber adds to them, its metric
 * labels or attributes, read once per request) and the spans (made only when
 * a tracer other than Effect's built-in one is installed: nobody can see
 * those spans, and each costs about as much as 40 plain steps on Effect 3).
 */
import type { Strategy } from "@aio-request/core"
import { BoundedLabels, overflowLabel } from "@aio-request/kernel/boundedLabels"
import * as Exit from "effect/Exit"
import type * as Tracer from "effect/Tracer"
import type * as HttpMetrics from "../../HttpMetrics.js"
import type * as ResilientHttpClient from "../../ResilientHttpClient.js"
import * as httpMetrics from "../httpMetrics.js"
import {
  type Counter,
  failureOption,
  type HttpClientResponse,
  isTraced as isTracedIn,
  type MetricContext,
  type RuntimeFiber,
  updateUnsafe
} from "../line.js"
import * as outcome_ from "./outcome.js"

/** A route of one client: its metric handles and its `Delays` key. @internal */
export interface Route {
  readonly metrics: HttpMetrics.ClientRoute
  /** `"GET users/{id}"`: the strategy's `Delays` key. */
  readonly key: string
}

/** @internal */
export interface Routes {
  readonly get: (endpoint: string, method: string, template: string) => Route
}

/**
 * The routes of one client, at most `maxRoutes` kept (the cache starts afresh
 * past that, so a caller-controlled path cannot grow it without bound). The
 * metrics label at most `maxPaths` distinct paths as they are (the kernel's
 * `BoundedLabels`, kept for the client's life); every later path is recorded
 * as `overflowLabel`, in series shared per endpoint and method, so a caller
 * passing literal paths cannot grow the metric registry without bound.
 *
 * @internal
 */
export const makeRoutes = (maxPaths: number, maxRoutes = 10_000): Routes => {
  const routes = new Map<string, Route>()
  const paths = new BoundedLabels(maxPaths)
  const overflow = new Map<string, HttpMetrics.ClientRoute>()
  const metricsOf = (endpoint: string, method: string, template: string): HttpMetrics.ClientRoute => {
    const path = paths.label(template)
    if (path !== overflowLabel) return httpMetrics.clientRoute({ endpoint, method, path })
    const id = `${method} ${endpoint}`
    let metrics = overflow.get(id)
    if (metrics === undefined) {
      if (overflow.size >= maxRoutes) overflow.clear()
      metrics = httpMetrics.clientRoute({ endpoint, method, path })
      overflow.set(id, metrics)
    }
    return metrics
  }
  return {
    get: (endpoint, method, template) => {
      const id = `${method} ${template} ${endpoint}`
      let route = routes.get(id)
      if (route === undefined) {
        if (routes.size >= maxRoutes) routes.clear()
        route = { metrics: metricsOf(endpoint, method, template), key: `${method} ${template}` }
        routes.set(id, route)
      }
      return route
    }
  }
}

/**
 * Whether spans made in `fiber` can be seen by anyone: tracing is enabled and
 * the tracer is not Effect's built-in one.
 *
 * @internal
 */
export const isTraced: (fiber: RuntimeFiber<unknown, unknown>) => boolean = isTracedIn

/**
 * The recording of one request: the attempts counted as they are sent, each
 * outcome recorded once, the attempts sent that never got an outcome (a hedge
 * that lost, or the caller left: interrupted when the request ended) recorded
 * as 499 when the request ends, then the request itself.
 *
 * @internal
 */
export class RequestRecord {
  // attempts sent and not yet reported: the first inline (the fast path
  // allocates nothing more), any others in `more` as [attempt, start] pairs
  private first = -1
  private firstStart = BigInt(0)
  private more: Array<number | bigint> | undefined = undefined
  private spans: Map<number, Tracer.Span> | undefined = undefined

  readonly route: Route
  readonly startNanos: bigint
  /** What the caller's fiber adds to the metrics (labels, attributes), read once. */
  readonly context: MetricContext

  constructor(route: Route, startNanos: bigint, context: MetricContext) {
    this.route = route
    this.startNanos = startNanos
    this.context = context
  }

  /** Adds `value` to `counter`, with the caller's ambient labels or attributes. */
  count(counter: Counter, value: number): void {
    updateUnsafe(counter, value, this.context)
  }

  /** Attempt `attempt` leaves the client. */
  sent(attempt: number, kind: Strategy.AttemptKind, startNanos: bigint): void {
    if (this.first === -1) {
      this.first = attempt
      this.firstStart = startNanos
    } else {
      ;(this.more ??= []).push(attempt, startNanos)
    }
    const metrics = this.route.metrics
    updateUnsafe(metrics.attempts, 1, this.context)
    if (kind === "hedge") updateUnsafe(metrics.hedges, 1, this.context)
    else if (kind === "retry") updateUnsafe(metrics.retries, 1, this.context)
  }

  /** When attempt `attempt` was sent, removing it from those awaiting an outcome; -1 when it was not sent. */
  private takeSent(attempt: number): bigint | -1 {
    if (this.first === attempt) {
      this.first = -2
      return this.firstStart
    }
    const more = this.more
    if (more !== undefined) {
      for (let i = 0; i < more.length; i += 2) {
        if (more[i] === attempt) return more.splice(i, 2)[1] as bigint
      }
    }
    return -1
  }

  /** Keeps the span of an attempt until its outcome (or the end of the request) ends it. */
  attemptSpan(attempt: number, span: Tracer.Span): void {
    ;(this.spans ??= new Map()).set(attempt, span)
  }

  /** The one record of an attempt. */
  outcome(outcome: outcome_.Outcome, nowNanos: bigint): void {
    const sentAt = this.takeSent(outcome.attempt)
    if (sentAt !== -1) {
      updateUnsafe(this.route.metrics.transportLatency(outcome.status), Number(nowNanos - sentAt) / 1e9, this.context)
    }
    const span = this.spans?.get(outcome.attempt)
    if (span !== undefined) {
      this.spans!.delete(outcome.attempt)
      span.attribute("aio_request.verdict", outcome.verdict)
      if (Exit.isSuccess(outcome.exit)) span.attribute("http.response.status_code", outcome.exit.value.status)
      else span.attribute("aio_request.status", outcome.status)
      if (outcome.cut) span.attribute("aio_request.cut", true)
      span.end(nowNanos, outcome.exit)
    }
  }

  /** The request ended with `exit`. */
  finish(
    exit: Exit.Exit<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error>,
    nowNanos: bigint
  ): void {
    if (this.first >= 0) {
      updateUnsafe(this.route.metrics.transportLatency(499), Number(nowNanos - this.firstStart) / 1e9, this.context)
    }
    if (this.more !== undefined) {
      for (let i = 1; i < this.more.length; i += 2) {
        updateUnsafe(
          this.route.metrics.transportLatency(499),
          Number(nowNanos - (this.more[i] as bigint)) / 1e9,
          this.context
        )
      }
    }
    if (this.spans !== undefined) {
      for (const span of this.spans.values()) {
        span.attribute("aio_request.verdict", "interrupted")
        span.end(nowNanos, Exit.void)
      }
      this.spans = undefined
    }
    let status: number
    let circuitBreaker = false
    if (Exit.isSuccess(exit)) {
      status = exit.value.status
    } else {
      const failure = failureOption(exit.cause)
      if (failure._tag === "Some") {
        const error = failure.value
        // the caller's own code or input failed, or the client's own limit
        // refused the call (aio_request_client_shed): nothing to say about the upstream
        if (
          error._tag === "EnrichError" || error._tag === "EndpointError" || error._tag === "LoadShedError" ||
          outcome_.isRequestRefused(error)
        ) return
        status = outcome_.errorStatus(error)
        circuitBreaker = error._tag === "CircuitBreakerOpenError"
      } else {
        status = 499
      }
    }
    updateUnsafe(
      this.route.metrics.latency(status, circuitBreaker),
      Number(nowNanos - this.startNanos) / 1e9,
      this.context
    )
  }
}
