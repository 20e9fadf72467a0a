/**
 * Stage 1, once per request: the endpoint, the request made ready to send
 * (URL resolved against the endpoint, template header removed, service name,
 * headers checked), the deadline, priority and strategy, then `Strategy.run`
 * over the attempts (attempt.ts), each outcome recorded once (outcome.ts,
 * telemetry.ts), the responses that did not win released (transport.ts), and
 * the winner returned with its body under the deadline (body.ts).
 */
import { Deadline, Priority, RetryBudget, Strategy } from "@aio-request/core"
import * as Headers from "@aio-request/kernel/http/headers"
import * as PathTemplate from "@aio-request/kernel/http/pathTemplate"
import * as kernelPriority from "@aio-request/kernel/priority"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import type * as ResilientHttpClient from "../../ResilientHttpClient.js"
import * as httpRequest from "../httpRequest.js"
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

const templateHeaders = [httpRequest.templateHeader]

/** The `InvalidUrl` of a refused template, described (`missing path parameter "id" for users/{id} (got: idd)`), at the template's URL. */
const plainRefusal = (
  error: ResilientHttpClient.Error,
  refusal: string,
  endpoint: Endpoint,
  template: string
): ResilientHttpClient.Error =>
  error._tag === "RequestError" && error.reason === "InvalidUrl" && error.description === undefined
    ? new HttpClientError.RequestError({
      request: HttpClientRequest.setUrl(error.request, endpoint.prefix + template.replace(/^\//, "")),
      reason: "InvalidUrl",
      cause: error.cause,
      description: refusal
    })
    : error

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
  const routes = telemetry.makeRoutes()
  const timeoutMillis = Duration.toMillis(config.timeout)
  const serviceName = config.serviceName
  const retryBudget = config.retryBudget
  const pushbackMaxWait = config.pushbackMaxWait

  const tracedAttempt = (shared: attempt_.Request, context: Strategy.AttemptContext) =>
    Effect.flatMap(
      Effect.makeSpan("aio_request.attempt", {
        attributes: { "aio_request.attempt": context.attempt, "aio_request.attempt.kind": context.kind },
        captureStackTrace: false
      }),
      (span) => {
        shared.record.attemptSpan(context.attempt, span)
        return Effect.withParentSpan(attempt(shared, context), span)
      }
    )

  const run = (
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    request: HttpClientRequest.HttpClientRequest,
    template: string,
    endpoint: Endpoint
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error> => {
    const method = request.method
    const url = request.url
    let prepared = httpRequest.removeHeaders(
      request,
      templateHeaders,
      httpRequest.isAbsolute(url) ? undefined : endpoint.prefix + (url.startsWith("/") ? url.slice(1) : url)
    )
    if (serviceName !== undefined) prepared = HttpClientRequest.setHeader(prepared, Headers.ServiceName, serviceName)
    const invalid = headers.check(prepared)
    if (invalid !== undefined) return Effect.fail(invalid)

    const subject = `${method} ${prepared.url}`
    const context = fiber.currentContext
    const clock = clockOf(fiber.currentDefaultServices)
    const startNanos = clock.unsafeCurrentTimeNanos()
    const inherited = Context.get(context, Deadline.CurrentDeadline)
    const deadline = inherited._tag === "Some"
      ? inherited.value
      : Deadline.unsafeMake(clock.unsafeCurrentTimeMillis() + timeoutMillis)
    const inheritedPriority = Context.get(context, Priority.CurrentPriority)
    const priority = kernelPriority.outgoing(
      config.priority,
      inheritedPriority._tag === "Some" ? inheritedPriority.value : undefined
    )
    const current = Context.get(context, Strategy.CurrentStrategy)
    const strategy = current._tag === "Some" ? current.value : config.strategy
    const route = routes.get(endpoint.label, method, template)
    const record = new telemetry.RequestRecord(route, startNanos, fiber.getFiberRef(FiberRef.currentMetricLabels))
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
        onAttempt: (reported) =>
          Effect.sync(() => record.outcome(outcome_.make(reported), clock.unsafeCurrentTimeNanos())),
        release: transport_.release,
        pushback: pushbackMaxWait === undefined
          ? undefined
          : pushback_.hook(pushbackMaxWait, record, deadline.epochMillis)
      }
    )
    // with a concurrency limit, the strategy's ask for a retry or hedge checks the limit first
    const budget = limit === undefined
      ? retryBudget
      : limit.budget(retryBudget ?? Context.get(context, RetryBudget.RetryBudget), shared)
    if (budget !== undefined) effect = Effect.provideService(effect, RetryBudget.RetryBudget, budget)
    effect = transport_.withManualRedirects(effect, context)
    effect = Effect.onExit(effect, (exit) => Effect.sync(() => record.finish(exit, clock.unsafeCurrentTimeNanos())))
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
      ? Effect.withFiberRuntime((fiber) => run(fiber, request, template, fixed))
      : Effect.flatMap(
        resolveEndpoint(request, template),
        (endpoint) => Effect.withFiberRuntime((fiber) => run(fiber, request, template, endpoint))
      )
  }
}

/** The clock of the running fiber, read once per request. */
const clockOf = (services: Context.Context<never>): Clock.Clock =>
  Context.get(services as Context.Context<Clock.Clock>, Clock.Clock)
