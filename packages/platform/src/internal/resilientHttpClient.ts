import { CircuitBreaker, Deadline, Options, Priority, RetryBudget, Strategy } from "@aio-request/core"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Headers from "../Headers.js"
import * as HttpMetrics from "../HttpMetrics.js"
import type * as ResilientHttpClient from "../ResilientHttpClient.js"
import type * as ResponseClassifier from "../ResponseClassifier.js"
import * as httpRequest from "./httpRequest.js"
import * as responseClassifier from "./responseClassifier.js"

// ---------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------

/** @internal */
export class TooManyRedirectsError extends Data.TaggedError("TooManyRedirectsError")<{
  readonly locations: ReadonlyArray<string>
}> {
  override get message() {
    return `too many redirects (${this.locations.length}): ${this.locations.join(" -> ")}`
  }
}

/** @internal */
export class EndpointError extends Data.TaggedError("EndpointError")<{
  readonly reason: "ProviderFailed" | "Invalid"
  readonly endpoint?: string | undefined
  readonly cause?: unknown
}> {
  override get message() {
    return this.reason === "Invalid"
      ? `endpoint ${JSON.stringify(this.endpoint)} is not an absolute http(s) URL`
      : "the endpoint provider failed"
  }
}

/** @internal */
export class EnrichError extends Data.TaggedError("EnrichError")<{
  readonly cause: unknown
}> {
  override get message() {
    return "enrich failed"
  }
}

type AttemptError =
  | HttpClientError.HttpClientError
  | Deadline.DeadlineExceededError
  | CircuitBreaker.CircuitBreakerOpenError
  | TooManyRedirectsError
  | EnrichError

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

const where = "ResilientHttpClient.make"

interface Endpoint {
  /** The endpoint as a label and circuit scope. */
  readonly label: string
  /** What relative URLs are appended to: the endpoint, ending with `/`, without query or fragment. */
  readonly prefix: string
}

const parseEndpoint = (input: string | URL): Option.Option<Endpoint> => {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    return Option.none()
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return Option.none()
  url.search = ""
  url.hash = ""
  const prefix = url.href.endsWith("/") ? url.href : url.href + "/"
  return Option.some({ label: url.href, prefix })
}

interface Config {
  readonly endpoint: Option.Option<Endpoint>
  readonly endpointProvider: Effect.Effect<string | URL, unknown> | undefined
  readonly strategy: Strategy.Strategy
  readonly classifier: ResponseClassifier.ResponseClassifier
  readonly timeout: Duration.Duration
  readonly priority: Priority.Priority
  readonly lowTimeoutMillis: number
  readonly emitSystemHeaders: boolean
  readonly serviceName: string | undefined
  readonly enrich: ResilientHttpClient.ResilientHttpClient.CommonOptions["enrich"]
  readonly circuitBreaker: CircuitBreaker.CircuitBreaker.Service | undefined
  readonly retryBudget: RetryBudget.RetryBudget.Service | undefined
  readonly connectionAttempts: number
  readonly maxRedirects: number
  readonly followRedirects: boolean
}

const priorities: ReadonlySet<string> = new Set(["high", "normal", "low"])

const configOf = (options: ResilientHttpClient.ResilientHttpClient.Options): Config => {
  if (typeof options !== "object" || options === null) return Options.fail(where, "options", "an object", options)
  const hasEndpoint = options.endpoint !== undefined
  const hasProvider = options.endpointProvider !== undefined
  if (hasEndpoint === hasProvider) {
    return Options.fail(
      where,
      "endpoint",
      "given, or else endpointProvider (exactly one of the two)",
      hasEndpoint ? "both" : "neither"
    )
  }
  let endpoint: Option.Option<Endpoint> = Option.none()
  if (hasEndpoint) {
    endpoint = parseEndpoint(options.endpoint!)
    if (Option.isNone(endpoint)) Options.fail(where, "endpoint", "an absolute http(s) URL", String(options.endpoint))
  } else if (!Effect.isEffect(options.endpointProvider)) {
    Options.fail(where, "endpointProvider", "an Effect", options.endpointProvider)
  }
  const strategy = options.strategy ?? Strategy.default
  if (!Strategy.isStrategy(strategy)) Options.fail(where, "strategy", "a Strategy", strategy)
  const priority = options.priority ?? "normal"
  if (!priorities.has(priority)) Options.fail(where, "priority", `"high", "normal" or "low"`, priority)
  if (options.classifier !== undefined && typeof options.classifier !== "function") {
    Options.fail(where, "classifier", "a function", options.classifier)
  }
  if (options.enrich !== undefined && typeof options.enrich !== "function") {
    Options.fail(where, "enrich", "a function", options.enrich)
  }
  const timeout = Options.duration(where, "timeout", options.timeout ?? "20 seconds", { positive: true })
  return {
    endpoint,
    endpointProvider: options.endpointProvider,
    strategy,
    classifier: options.classifier ?? responseClassifier.make(),
    timeout,
    priority,
    lowTimeoutMillis: Duration.toMillis(
      Options.duration(where, "lowTimeoutThreshold", options.lowTimeoutThreshold ?? "5 millis")
    ),
    emitSystemHeaders: options.emitSystemHeaders ?? true,
    serviceName: options.serviceName,
    enrich: options.enrich,
    circuitBreaker: options.circuitBreaker,
    retryBudget: options.retryBudget,
    connectionAttempts: Options.integer(where, "connectionAttempts", options.connectionAttempts ?? 3, 1),
    maxRedirects: Options.integer(where, "maxRedirects", options.maxRedirects ?? 10, 0),
    followRedirects: options.followRedirects ?? true
  }
}

// ---------------------------------------------------------------------------
// transport helpers
// ---------------------------------------------------------------------------

const connectFailureCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT"
])

/**
 * Whether a transport error happened while connecting (nothing reached the
 * server), as opposed to after the connection was made (a reset).
 *
 * @internal
 */
export const isConnectFailure = (error: HttpClientError.HttpClientError): boolean => {
  if (error._tag !== "RequestError" || error.reason !== "Transport") return false
  const seen = new Set<unknown>()
  const visit = (u: unknown): boolean => {
    if (typeof u !== "object" || u === null || seen.has(u)) return false
    seen.add(u)
    const code = (u as { readonly code?: unknown }).code
    if (typeof code === "string" && connectFailureCodes.has(code)) return true
    const errors = (u as { readonly errors?: unknown }).errors
    if (Array.isArray(errors) && errors.length > 0 && errors.every(visit)) return true
    return visit((u as { readonly cause?: unknown }).cause)
  }
  return visit(error.cause)
}

const isRedirect = (status: number) =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308

const credentialHeaders = ["authorization", "proxy-authorization", "cookie"]

const templateHeaders = [httpRequest.templateHeader]

/** The request to send after a redirect to `next` *(as browsers and aiohttp do)*. */
const redirected = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  current: URL,
  next: URL
): HttpClientRequest.HttpClientRequest => {
  let result = HttpClientRequest.setUrl(request, next)
  const method = request.method
  if (
    (status === 303 && method !== "GET" && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST")
  ) {
    result = HttpClientRequest.setBody(HttpClientRequest.setMethod(result, "GET"), HttpBody.empty)
  }
  if (next.origin !== current.origin) result = httpRequest.removeHeaders(result, credentialHeaders)
  return result
}

const urlOf = (request: HttpClientRequest.HttpClientRequest): URL | undefined => {
  const result = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  return result._tag === "Right" ? result.right : undefined
}

/**
 * Releases a response nobody will read: a read of its body is started and
 * interrupted at once, which aborts the connection (`@effect/platform` ties
 * the abort of a response to the end of its body stream). The handshake makes
 * sure the read has started, so that its finalizer is in place.
 *
 * @internal
 */
export const release = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.gen(function*() {
    const started = yield* Deferred.make<void>()
    // releases run in finalizers: the reader must be interruptible all the same
    const reader = yield* Effect.fork(
      Effect.zipRight(Deferred.succeed(started, undefined), Effect.interruptible(Stream.runDrain(response.stream)))
    )
    yield* Deferred.await(started)
    yield* Fiber.interrupt(reader)
  })

const formatSeconds = (remaining: Duration.Duration): string =>
  (Math.floor(Duration.toMillis(remaining)) / 1000).toFixed(3)

const nanosToSeconds = (nanos: bigint): number => Number(nanos) / 1e9

// ---------------------------------------------------------------------------
// the client
// ---------------------------------------------------------------------------

const failureOf = <E>(exit: Exit.Exit<unknown, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** @internal */
export const make = (
  options: ResilientHttpClient.ResilientHttpClient.Options
): Effect.Effect<HttpClient.HttpClient.With<ResilientHttpClient.Error>, never, HttpClient.HttpClient> => {
  const config = configOf(options)
  return Effect.gen(function*() {
    const underlying = yield* HttpClient.HttpClient
    const metrics = HttpMetrics.makeRecorder()
    const breaker = config.circuitBreaker
    // the last state seen per scope, to record circuit transitions
    const circuitStates = yield* Ref.make(new Map<string, CircuitBreaker.State>())

    const observeCircuit = (scope: string): Effect.Effect<void> =>
      breaker === undefined ? Effect.void : Effect.flatMap(breaker.stateOf(scope), (now) =>
        Effect.flatMap(
          Ref.modify(circuitStates, (seen): [CircuitBreaker.State | undefined, Map<string, CircuitBreaker.State>] => {
            const before = seen.get(scope) ?? "closed"
            if (before === now) return [undefined, seen]
            const next = new Map(seen)
            next.set(scope, now)
            return [before, next]
          }),
          (before) =>
            before === undefined
              ? Effect.void
              : metrics.recordCircuitTransition({ endpoint: scope, from: before, to: now })
        ))

    /** The user's classifier, except for outcomes of our own making, which end the request. */
    const verdictOf = (exit: Exit.Exit<HttpClientResponse.HttpClientResponse, AttemptError>): Strategy.Verdict => {
      const failure = failureOf(exit)
      if (Option.isSome(failure)) {
        const error = failure.value
        if (error._tag === "EnrichError") return "accept"
        if (error._tag === "DeadlineExceededError" && error.reason === "below-threshold") return "accept"
      }
      return config.classifier(exit)
    }

    const isCircuitFailure = (exit: Exit.Exit<HttpClientResponse.HttpClientResponse, AttemptError>): boolean => {
      if (Exit.isFailure(exit)) {
        if (Cause.isInterruptedOnly(exit.cause)) return false
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure) && failure.value._tag === "EnrichError") return false
      }
      return config.classifier(exit) === "reject"
    }

    const resolveEndpoint: Effect.Effect<Endpoint, EndpointError> = Option.isSome(config.endpoint)
      ? Effect.succeed(config.endpoint.value)
      : Effect.flatMap(
        Effect.mapError(config.endpointProvider!, (cause) => new EndpointError({ reason: "ProviderFailed", cause })),
        (input) =>
          Option.match(parseEndpoint(input), {
            onNone: () => Effect.fail(new EndpointError({ reason: "Invalid", endpoint: String(input) })),
            onSome: Effect.succeed
          })
      )

    /** Sends once, retrying TCP connect failures. */
    const connect = (
      request: HttpClientRequest.HttpClientRequest
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
      const loop = (n: number): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
        Effect.catchIf(
          underlying.execute(request),
          (error) => n < config.connectionAttempts && isConnectFailure(error),
          () => loop(n + 1)
        )
      return loop(1)
    }

    /** Sends and follows redirects. */
    const follow = (
      request: HttpClientRequest.HttpClientRequest
    ): Effect.Effect<
      HttpClientResponse.HttpClientResponse,
      HttpClientError.HttpClientError | TooManyRedirectsError
    > => {
      if (!config.followRedirects) return connect(request)
      const loop = (
        request: HttpClientRequest.HttpClientRequest,
        locations: ReadonlyArray<string>
      ): Effect.Effect<
        HttpClientResponse.HttpClientResponse,
        HttpClientError.HttpClientError | TooManyRedirectsError
      > =>
        Effect.flatMap(connect(request), (response) => {
          const location = response.headers["location"]
          if (!isRedirect(response.status) || location === undefined) return Effect.succeed(response)
          const current = urlOf(request)
          let next: URL
          try {
            next = new URL(location, current)
          } catch {
            return Effect.succeed(response)
          }
          const seen = [...locations, next.href]
          return Effect.zipRight(
            release(response),
            seen.length > config.maxRedirects
              ? Effect.fail(new TooManyRedirectsError({ locations: seen }))
              : loop(redirected(request, response.status, current ?? next, next), seen)
          )
        })
      return loop(request, [])
    }

    const execute = (
      request: HttpClientRequest.HttpClientRequest
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error> => {
      const template = httpRequest.pathTemplate(request)
      const method = request.method
      return Effect.gen(function*() {
        const startNanos = yield* Clock.currentTimeNanos
        const endpoint = yield* resolveEndpoint
        yield* Effect.annotateCurrentSpan("aio_request.endpoint", endpoint.label)
        const labels: HttpMetrics.ClientLabels = { endpoint: endpoint.label, method, path: template }

        let prepared = request
        prepared = httpRequest.removeHeaders(prepared, templateHeaders)
        if (!httpRequest.isAbsolute(prepared.url)) {
          const relative = prepared.url.startsWith("/") ? prepared.url.slice(1) : prepared.url
          prepared = HttpClientRequest.setUrl(prepared, endpoint.prefix + relative)
        }
        if (config.serviceName !== undefined) {
          prepared = HttpClientRequest.setHeader(prepared, Headers.ServiceName, config.serviceName)
        }

        const inherited = yield* Deadline.CurrentDeadline
        const deadline = Option.isSome(inherited) ? inherited.value : yield* Deadline.fromTimeout(config.timeout)
        const priority = Priority.normalize(config.priority, yield* Priority.CurrentPriority)
        const strategy = Option.getOrElse(yield* Strategy.CurrentStrategy, () => config.strategy)

        // every response an attempt produced; all but the winner are released
        const responses = yield* Ref.make<{
          readonly closed: boolean
          readonly list: ReadonlyArray<HttpClientResponse.HttpClientResponse>
        }>({ closed: false, list: [] })
        const register = (response: HttpClientResponse.HttpClientResponse) =>
          Effect.flatMap(
            Ref.modify(responses, (state) =>
              state.closed
                ? [true, state] as const
                : [false, { closed: false, list: [...state.list, response] }] as const),
            (closed) => closed ? release(response) : Effect.void
          )
        const releaseLosers = (winner: HttpClientResponse.HttpClientResponse | undefined) =>
          Effect.flatMap(
            Ref.getAndSet(responses, { closed: true, list: [] }),
            (state) => Effect.forEach(state.list, (r) => r === winner ? Effect.void : release(r), { discard: true })
          )

        const send = (context: Strategy.AttemptContext) =>
          Effect.gen(function*() {
            let outgoing = prepared
            if (config.emitSystemHeaders) {
              const remaining = yield* Deadline.remaining(context.deadline)
              outgoing = Duration.isFinite(remaining)
                ? HttpClientRequest.setHeaders(outgoing, {
                  [Headers.RequestTimeout]: formatSeconds(remaining),
                  [Headers.RequestPriority]: priority
                })
                : HttpClientRequest.setHeader(outgoing, Headers.RequestPriority, priority)
            }
            if (config.enrich !== undefined) {
              outgoing = yield* Effect.mapError(config.enrich(outgoing), (cause) => new EnrichError({ cause }))
            }
            const start = yield* Clock.currentTimeNanos
            return yield* Effect.uninterruptibleMask((restore) =>
              Effect.tap(restore(follow(outgoing)), register).pipe(
                Effect.onExit((exit) =>
                  Effect.flatMap(Clock.currentTimeNanos, (end) =>
                    Effect.flatMap(attemptStatus(exit, context.deadline), (status) =>
                      metrics.recordAttempt(
                        { ...labels, status, kind: context.kind },
                        nanosToSeconds(end - start)
                      )))
                )
              )
            )
          })

        const attempt = (context: Strategy.AttemptContext) =>
          Effect.gen(function*() {
            const remaining = yield* Deadline.remaining(context.deadline)
            if (Duration.toMillis(remaining) < config.lowTimeoutMillis) {
              return yield* Effect.fail(new Deadline.DeadlineExceededError({ reason: "below-threshold" }))
            }
            if (breaker === undefined) return yield* send(context)
            return yield* breaker.execute(endpoint.label, send(context), isCircuitFailure).pipe(
              Effect.ensuring(observeCircuit(endpoint.label))
            )
          }).pipe(
            Effect.onExit((exit) => annotateAttempt(exit, context.deadline)),
            Effect.withSpan("aio_request.attempt", {
              attributes: { "aio_request.attempt": context.attempt, "aio_request.attempt.kind": context.kind },
              captureStackTrace: false
            })
          )

        const annotateAttempt = (
          exit: Exit.Exit<HttpClientResponse.HttpClientResponse, AttemptError>,
          attemptDeadline: Deadline.Deadline
        ): Effect.Effect<void> => {
          if (Exit.isSuccess(exit)) {
            return Effect.annotateCurrentSpan({
              "http.response.status_code": exit.value.status,
              "aio_request.verdict": verdictOf(exit)
            })
          }
          if (!Cause.isInterruptedOnly(exit.cause)) {
            return Effect.annotateCurrentSpan("aio_request.verdict", verdictOf(exit))
          }
          // cut at its deadline (the strategy sees a DeadlineExceededError), or interrupted
          return Effect.flatMap(Deadline.isExpired(attemptDeadline), (expired) =>
            Effect.annotateCurrentSpan(
              "aio_request.verdict",
              expired ? verdictOf(Exit.fail(new Deadline.DeadlineExceededError({ reason: "expired" }))) : "interrupted"
            ))
        }

        const run = Strategy.run<HttpClientResponse.HttpClientResponse, AttemptError, never>(strategy, {
          attempt,
          classify: verdictOf,
          deadline,
          key: `${method} ${template}`,
          method
        })
        const result = config.retryBudget === undefined
          ? run
          : Effect.provideService(run, RetryBudget.RetryBudget, config.retryBudget)
        return yield* result.pipe(
          Effect.onExit((exit) =>
            Effect.zipRight(
              releaseLosers(Exit.isSuccess(exit) ? exit.value : undefined),
              recordRequest(metrics, exit, labels, startNanos, deadline)
            )
          )
        )
      }).pipe(
        Effect.withSpan("aio_request.request", {
          attributes: { "http.request.method": method, "url.template": template },
          captureStackTrace: false
        })
      )
    }

    return HttpClient.makeWith(
      (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(effect, execute),
      Effect.succeed
    )
  })
}

/** The seed's status for an outcome without a response (408, 488, 489, 499). */
const errorStatus = (error: ResilientHttpClient.Error): number => {
  switch (error._tag) {
    case "DeadlineExceededError":
      return 408
    case "TooManyRedirectsError":
      return 488
    case "CircuitBreakerOpenError":
      return 502
    case "ResponseError":
      return error.response.status
    default:
      return 489
  }
}

const attemptStatus = (
  exit: Exit.Exit<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | TooManyRedirectsError>,
  deadline: Deadline.Deadline
): Effect.Effect<number> => {
  if (Exit.isSuccess(exit)) return Effect.succeed(exit.value.status)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) return Effect.succeed(errorStatus(failure.value))
  // interrupted: by its deadline (408), or because it lost or the caller left (499)
  return Effect.map(Deadline.isExpired(deadline), (expired) => expired ? 408 : 499)
}

const recordRequest = (
  metrics: HttpMetrics.Recorder,
  exit: Exit.Exit<HttpClientResponse.HttpClientResponse, ResilientHttpClient.Error>,
  labels: HttpMetrics.ClientLabels,
  startNanos: bigint,
  deadline: Deadline.Deadline
): Effect.Effect<void> =>
  Effect.gen(function*() {
    let status: number
    let circuitBreaker = false
    if (Exit.isSuccess(exit)) {
      status = exit.value.status
    } else {
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure)) {
        // the caller's own code failed: nothing to say about the upstream
        if (failure.value._tag === "EnrichError" || failure.value._tag === "EndpointError") return
        status = errorStatus(failure.value)
        circuitBreaker = failure.value._tag === "CircuitBreakerOpenError"
      } else {
        status = (yield* Deadline.isExpired(deadline)) ? 408 : 499
      }
    }
    const end = yield* Clock.currentTimeNanos
    yield* metrics.recordClientRequest({ ...labels, status, circuitBreaker }, nanosToSeconds(end - startNanos))
  })

/**
 * The client as an `HttpClient` proper: errors that are not `HttpClientError`s
 * become a `RequestError` (`Transport`) whose `cause` is the original error.
 *
 * @internal
 */
export const toHttpClient = (
  client: HttpClient.HttpClient.With<ResilientHttpClient.Error>
): HttpClient.HttpClient =>
  HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(effect, (request) =>
        Effect.mapError(client.execute(request), (error) =>
          HttpClientError.isHttpClientError(error)
            ? error
            : new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause: error,
              description: error.message
            }))),
    Effect.succeed
  )

/** @internal */
export const layer = (
  options: ResilientHttpClient.ResilientHttpClient.Options
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(make(options), toHttpClient))
