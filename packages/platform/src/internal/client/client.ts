/**
 * Stage 1, once per request: the endpoint, the request made ready to send
 * (URL resolved against the endpoint, template header removed, service name,
 * headers checked), the deadline, priority and strategy, then `Strategy.run`
 * over the attempts (attempt.ts), each outcome recorded once (outcome.ts,
 * telemetry.ts, with a span per request and per attempt when traced), the
 * responses that did not win released (transport.ts), and
 * the winner returned with its body under the deadline (body.ts).
 */
import { Deadline, Priority, RetryBudget, Strategy } from "@aio-request/core"
import * as Headers from "@aio-request/kernel/http/headers"
import * as PathTemplate from "@aio-request/kernel/http/pathTemplate"
import * as kernelPriority from "@aio-request/kernel/priority"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as ResilientHttpClient from "../../ResilientHttpClient.js"
import * as httpRequest from "../httpRequest.js"
import {
  clockOf,
  currentTimeMillis,
  currentTimeNanos,
  describeInvalidUrl,
  getRef,
  type HttpClient,
  HttpClientRequest,
  type HttpClientResponse,
  makeSpan,
  metricContext,
  type RuntimeFiber,
  withFiber,
  withHeaders
} from "../line.js"
import * as attempt_ from "./attempt.js"
import * as body from "./body.js"
import type { Config, Endpoint } from "./config.js"
import { parseEndpoint } from "./config.js"
import { EndpointError } from "./errors.js"
import * as headers from "./headers.js"
import * as limit_ from "./limit.js"
import * as outcome_ from "./outcome.js"
import * as pushback_ from "./pushback.js"
import * as telemetry from "./telemetry.js"
import * as transport_ from "./transport.js"

const templateHeader = httpRequest.templateHeader

/**
 * `request` made ready to send, in one copy: without the template header,
 * with the service name (when given) and at `url` (when given).
 */
const prepare = (
  request: HttpClientRequest.HttpClientRequest,
  url: string | undefined,
  serviceName: string | undefined
): HttpClientRequest.HttpClientRequest => {
  const headers = request.headers
  if (headers[templateHeader] === undefined && serviceName === undefined) {
    return url === undefined ? request : HttpClientRequest.setUrl(request, url)
  }
  const kept: Record<string, string> = {}
  for (const name in headers) if (name !== templateHeader) kept[name] = headers[name]!
  if (serviceName !== undefined) kept[Headers.ServiceName] = serviceName
  return withHeaders(request, kept, url)
}

/** The invalid-URL error of a refused template, described (`missing path parameter "id" for users/{id} (got: idd)`), at the template's URL. */
const plainRefusal = (
  error: ResilientHttpClient.Error,
  refusal: string,
  endpoint: Endpoint,
  template: string
): ResilientHttpClient.Error =>
  describeInvalidUrl(error, endpoint.prefix + template.replace(/^\//, ""), refusal) ?? error

/** @internal */
export const make = (
  config: Config,
  underlying: HttpClient.HttpClient
): (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<
  HttpClientResponse.HttpClientResponse,
  ResilientHttpClient.Error
> => {
  const transport = transport_.make(config, underlying)
  const limit = limit_.make(config.concurrencyLimit)
  const judge = outcome_.makeJudge(config.classifier, config.circuitBreaker !== undefined, limit?.endsCall)
  const attempt = attempt_.make(config, transport, judge, limit)
  const routes = telemetry.makeRoutes(config.maxPaths)
  const timeoutMillis = Duration.toMillis(config.timeout)
  const serviceName = config.serviceName
  const retryBudget = config.retryBudget
  const pushbackMaxWait = config.pushbackMaxWait

  const tracedAttempt = (shared: attempt_.Request, context: Strategy.AttemptContext) =>
    Effect.flatMap(
      makeSpan("aio_request.attempt", {
        "aio_request.attempt": context.attempt,
        "aio_request.attempt.kind": context.kind
      }),
      (span) => {
        shared.record.attemptSpan(context.attempt, span)
        return Effect.withParentSpan(attempt(shared, context), span)
      }
    )

  const run = (
    fiber: RuntimeFiber<unknown, unknown>,
    request: HttpClientRequest.HttpClientRequest,
    template: string,
    endpoint: Endpoint
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error> => {
    const method = request.method
    const url = request.url
    const prepared = prepare(
      request,
      httpRequest.isAbsolute(url) ? undefined : endpoint.prefix + (url.startsWith("/") ? url.slice(1) : url),
      serviceName
    )
    const invalid = headers.check(prepared)
    if (invalid !== undefined) return Effect.fail(invalid)

    const subject = `${method} ${prepared.url}`
    const clock = clockOf(fiber)
    const startNanos = currentTimeNanos(clock)
    const inherited = getRef(fiber, Deadline.CurrentDeadline)
    const deadline = inherited._tag === "Some"
      ? inherited.value
      : Deadline.unsafeMake(currentTimeMillis(clock) + timeoutMillis)
    const inheritedPriority = getRef(fiber, Priority.CurrentPriority)
    const priority = kernelPriority.outgoing(
      config.priority,
      inheritedPriority._tag === "Some" ? inheritedPriority.value : undefined
    )
    const current = getRef(fiber, Strategy.CurrentStrategy)
    const strategy = current._tag === "Some" ? current.value : config.strategy
    const route = routes.get(endpoint.label, method, template)
    const record = new telemetry.RequestRecord(route, startNanos, metricContext(fiber))
    const traced = telemetry.isTraced(fiber)
    const shared: attempt_.Request = {
      request: prepared,
      scope: endpoint.label,
      priority,
      subject,
      record,
      clock,
      traced
    }

    let effect: Effect.Effect<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error> = Strategy.run<
      HttpClientResponse.HttpClientResponse,
      outcome_.AttemptError,
      never
    >(
      strategy,
      {
        attempt: traced ? (ctx) => tracedAttempt(shared, ctx) : (ctx) => attempt(shared, ctx),
        classify: judge.verdict,
        deadline,
        key: route.key,
        method,
        subject,
        onAttempt: (reported) => Effect.sync(() => record.outcome(outcome_.make(reported), currentTimeNanos(clock))),
        release: transport_.release,
        pushback: pushbackMaxWait === undefined
          ? undefined
          : pushback_.hook(pushbackMaxWait, record, deadline.epochMillis)
      }
    )
    // with a concurrency limit, the strategy's ask for a retry or hedge checks the limit first
    const budget = limit === undefined
      ? retryBudget
      : limit.budget(retryBudget ?? getRef(fiber, RetryBudget.RetryBudget), shared)
    if (budget !== undefined) effect = Effect.provideService(effect, RetryBudget.RetryBudget, budget)
    effect = transport_.withManualRedirects(effect, fiber)
    effect = Effect.onExit(effect, (exit) => Effect.sync(() => record.finish(exit, currentTimeNanos(clock))))
    // a path template `HttpRequest` refused: the error says why in plain words (no cost otherwise)
    const refusal = PathTemplate.refusal(url)
    if (refusal !== undefined) {
      effect = Effect.mapError(effect, (error) => plainRefusal(error, refusal, endpoint, template))
    }
    effect = Effect.map(effect, (response) => body.make(response, deadline, subject, config.json))
    if (traced) {
      effect = Effect.withSpan(effect, "aio_request.request", {
        attributes: {
          "http.request.method": method,
          "url.template": template,
          "aio_request.endpoint": endpoint.label
        },
        captureStackTrace: false
      })
    }
    return effect
  }

  const resolveEndpoint = (
    request: HttpClientRequest.HttpClientRequest,
    template: string
  ): Effect.Effect<Endpoint, EndpointError> =>
    Effect.flatMap(
      Effect.mapError(
        config.endpointProvider!,
        (cause) => new EndpointError({ reason: "ProviderFailed", cause, method: request.method, url: template })
      ),
      (input) => {
        const endpoint = parseEndpoint(input)
        return endpoint === undefined
          ? Effect.fail(
            new EndpointError({ reason: "Invalid", endpoint: String(input), method: request.method, url: template })
          )
          : Effect.succeed(endpoint)
      }
    )

  const fixed = config.endpoint
  return (request) => {
    const template = httpRequest.pathTemplate(request)
    return fixed !== undefined
      ? withFiber((fiber) => run(fiber, request, template, fixed))
      : Effect.flatMap(
        resolveEndpoint(request, template),
        (endpoint) => withFiber((fiber) => run(fiber, request, template, endpoint))
      )
  }
}
