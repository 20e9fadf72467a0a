/**
 * Stage 2, once per attempt, in order: the low-timeout check (less time left
 * than `lowTimeoutThreshold`: nothing sent, no other attempt), the
 * concurrency limit (limit.ts, when given), the circuit breaker (scope =
 * endpoint), the system headers, `enrich` (and a check of the headers it
 * returns), then the send (transport.ts).
 */
import type { CircuitBreaker, Priority, Strategy } from "@aio-request/core"
import { Deadline } from "@aio-request/core"
import * as Headers from "@aio-request/kernel/http/headers"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { currentTimeMillis, currentTimeNanos, HttpClientRequest, type HttpClientResponse } from "../line.js"
import type { Config } from "./config.js"
import { EnrichError } from "./errors.js"
import * as headers from "./headers.js"
import type { Limit } from "./limit.js"
import type { AttemptError, Judge } from "./outcome.js"
import type { RequestRecord } from "./telemetry.js"
import type { Transport } from "./transport.js"

/** What the attempts of one request share. @internal */
export interface Request {
  /** The request to send: absolute URL, template header removed, service name set, headers checked. */
  readonly request: HttpClientRequest.HttpClientRequest
  /** The endpoint's label: the circuit scope and the limit's metric label. */
  readonly scope: string
  readonly priority: Priority.Priority
  /** `"GET http://host/path"`, for error messages. */
  readonly subject: string
  readonly record: RequestRecord
  readonly clock: Clock.Clock
  /** Whether attempts get spans of their own. */
  readonly traced: boolean
}

/** The attempt's remaining seconds, as `X-Request-Timeout` carries them (decimal, never rounded up). */
const formatSeconds = Headers.formatTimeout

/** @internal */
export type Attempt = (
  request: Request,
  context: Strategy.AttemptContext
) => Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError>

/** @internal */
export const make = (config: Config, transport: Transport, judge: Judge, limit?: Limit): Attempt => {
  const breaker: CircuitBreaker.CircuitBreaker.Service | undefined = config.circuitBreaker
  const lowTimeoutMillis = config.lowTimeoutMillis
  const emitSystemHeaders = config.emitSystemHeaders
  const enrich = config.enrich

  const send = (
    request: Request,
    context: Strategy.AttemptContext,
    outgoing: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError> =>
    Effect.suspend(() => {
      request.record.sent(context.attempt, context.kind, currentTimeNanos(request.clock))
      return transport.send(outgoing)
    })

  const enriched = (
    request: Request,
    context: Strategy.AttemptContext,
    outgoing: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError> =>
    Effect.flatMap(
      Effect.mapError(
        enrich!(outgoing),
        (cause) => new EnrichError({ cause, method: outgoing.method, url: outgoing.url })
      ),
      (result) => {
        if (result.headers !== outgoing.headers) {
          const invalid = headers.check(result)
          if (invalid !== undefined) return Effect.fail(invalid)
        }
        return send(request, context, result)
      }
    )

  const attempt: Attempt = (request, context) => {
    const now = currentTimeMillis(request.clock)
    const left = context.deadline.epochMillis - now
    if (left < lowTimeoutMillis) {
      return Effect.fail(
        new Deadline.DeadlineExceededError({
          reason: "below-threshold",
          budget: Duration.millis(Math.max(0, left)),
          phase: "attempt",
          subject: request.subject
        })
      )
    }
    let outgoing = request.request
    if (emitSystemHeaders) {
      outgoing = Number.isFinite(left)
        ? HttpClientRequest.setHeaders(outgoing, {
          [Headers.RequestTimeout]: formatSeconds(left),
          [Headers.RequestPriority]: request.priority
        })
        : HttpClientRequest.setHeader(outgoing, Headers.RequestPriority, request.priority)
    }
    const effect = enrich === undefined ? send(request, context, outgoing) : enriched(request, context, outgoing)
    const guarded = breaker === undefined ? effect : breaker.execute(request.scope, effect, judge.isCircuitFailure)
    return limit === undefined ? guarded : limit.admit(request, context, guarded)
  }

  return attempt
}
