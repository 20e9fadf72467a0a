/**
 * What the client records, read from the outcome records: the metrics of a
 * route (handles resolved once per endpoint and route, updated without
 * building a metric key; the caller's context, with its metric attributes,
 * read once per request) and the spans (made only when a tracer other than
 * Effect's built-in one is installed: nobody can see those spans).
 */
import type { Strategy } from "@aio-request/core"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import type * as HttpMetrics from "../../HttpMetrics.js"
import type * as ResilientHttpClient from "../../ResilientHttpClient.js"
import * as httpMetrics from "../httpMetrics.js"
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
 * past that, so a caller-controlled path cannot grow it without bound).
 *
 * @internal
 */
export const makeRoutes = (maxRoutes = 10_000): Routes => {
  const routes = new Map<string, Route>()
  return {
    get: (endpoint, method, template) => {
      const id = `${method} ${template} ${endpoint}`
      let route = routes.get(id)
      if (route === undefined) {
        if (routes.size >= maxRoutes) routes.clear()
        route = {
          metrics: httpMetrics.clientRoute({ endpoint, method, path: template }),
          key: `${method} ${template}`
        }
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
export const isTraced = (fiber: Fiber.Fiber<unknown, unknown>): boolean =>
  fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer && fiber.getRef(References.TracerEnabled)

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
  /** The caller's context, read once: the metric registry and attributes. */
  readonly context: Context.Context<never>

  constructor(route: Route, startNanos: bigint, context: Context.Context<never>) {
    this.route = route
    this.startNanos = startNanos
    this.context = context
  }

  /** Adds `value` to `counter`, with the caller's ambient attributes. */
  count(counter: Metric.Counter<number>, value: number): void {
    counter.updateUnsafe(value, this.context)
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
    metrics.attempts.updateUnsafe(1, this.context)
    if (kind === "hedge") metrics.hedges.updateUnsafe(1, this.context)
    else if (kind === "retry") metrics.retries.updateUnsafe(1, this.context)
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
      this.route.metrics.transportLatency(outcome.status).updateUnsafe(Number(nowNanos - sentAt) / 1e9, this.context)
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
      this.route.metrics.transportLatency(499).updateUnsafe(Number(nowNanos - this.firstStart) / 1e9, this.context)
    }
    if (this.more !== undefined) {
      for (let i = 1; i < this.more.length; i += 2) {
        this.route.metrics.transportLatency(499).updateUnsafe(
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
      const failure = Cause.findErrorOption(exit.cause)
      if (Option.isSome(failure)) {
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
    this.route.metrics.latency(status, circuitBreaker).updateUnsafe(
      Number(nowNanos - this.startNanos) / 1e9,
      this.context
    )
  }
}
