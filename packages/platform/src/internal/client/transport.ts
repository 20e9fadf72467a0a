/**
 * Stage 3 of an attempt, the send: the `HttpClient` in context (undici,
 * node:http, fetch), with TCP connect failures retried `connectionAttempts`
 * times, redirects followed by the client itself (the same rules over every
 * transport; only http(s) locations), transport errors described (system
 * error code and address), and the release of responses nobody will read.
 */
import * as redirect from "@aio-request/kernel/http/redirect"
import * as kernel from "@aio-request/kernel/http/transport"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import {
  catchAll,
  forkReader,
  HttpBody,
  type HttpClient,
  type HttpClientError,
  HttpClientRequest,
  type HttpClientResponse,
  redactedNames,
  requestInit,
  type RuntimeFiber,
  transportError,
  transportOf,
  urlOf as urlOf_,
  withFiber,
  withHeaders,
  withRequestInit
} from "../line.js"
import type { Config } from "./config.js"
import { InvalidRedirectError, TooManyRedirectsError } from "./errors.js"

/** @internal */
export type SendError = HttpClientError.HttpClientError | TooManyRedirectsError | InvalidRedirectError

/** `request` without the headers `names` (lower-case), in one copy, or `request` itself when it has none of them. @internal */
export const withoutHeaders = (
  request: HttpClientRequest.HttpClientRequest,
  names: ReadonlyArray<string>
): HttpClientRequest.HttpClientRequest => {
  const headers = request.headers
  if (!names.some((name) => headers[name] !== undefined)) return request
  const kept: Record<string, string> = {}
  for (const name in headers) if (!names.includes(name)) kept[name] = headers[name]!
  return withHeaders(request, kept)
}

// ---------------------------------------------------------------------------
// transport errors
// ---------------------------------------------------------------------------

/**
 * Whether a transport error happened while connecting (nothing reached the
 * server), as opposed to after the connection was made (a reset).
 *
 * @internal
 */
export const isConnectFailure = (error: HttpClientError.HttpClientError): boolean => {
  const transport = transportOf(error)
  return transport !== undefined && kernel.isConnectFailure(transport.cause)
}

/**
 * The transport error with a description a person can act on: the system
 * error code and address (`ECONNREFUSED 127.0.0.1:40279`) and, for connect
 * failures, how many connects were tried.
 */
const described = (error: HttpClientError.HttpClientError, connects: number): HttpClientError.HttpClientError => {
  const transport = transportOf(error)
  if (transport === undefined || transport.description !== undefined) return error
  return transportError(transport.request, transport.cause, kernel.describeTransportFailure(transport.cause, connects))
}

// ---------------------------------------------------------------------------
// release
// ---------------------------------------------------------------------------

/**
 * Releases a response nobody will read: a read of its body is started and
 * interrupted at once, which aborts the connection (the platform ties the
 * abort of a response to the end of its body stream). The handshake makes
 * sure the read has started, so that its finalizer is in place.
 *
 * @internal
 */
export const release = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.flatMap(Deferred.make<void>(), (started) =>
    Effect.flatMap(
      // releases run in finalizers: the reader must be interruptible all the same
      forkReader(
        Effect.andThen(Deferred.succeed(started, undefined), Effect.interruptible(Stream.runDrain(response.stream)))
      ),
      (reader) => Effect.andThen(Deferred.await(started), Fiber.interrupt(reader))
    ))

// ---------------------------------------------------------------------------
// redirects
// ---------------------------------------------------------------------------

/**
 * The request to send after a redirect to `next` *(as browsers and aiohttp
 * do)*; on another origin, without the headers `originBound` names (the
 * option, and the header names the fiber redacts).
 */
const redirected = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  current: URL,
  next: URL,
  originBound: ReadonlyArray<string | RegExp>
): HttpClientRequest.HttpClientRequest => {
  // a URL replaces the url params and hash too
  let result = HttpClientRequest.setUrl(request, next)
  if (redirect.becomesGet(status, request.method)) {
    result = HttpClientRequest.setBody(HttpClientRequest.setMethod(result, "GET"), HttpBody.empty)
  }
  if (redirect.crossesOrigin(current, next)) {
    result = withoutHeaders(result, redirect.boundNames(Object.keys(result.headers), originBound))
  }
  return result
}

/** @internal */
export const urlOf: (request: HttpClientRequest.HttpClientRequest) => URL | undefined = urlOf_

// ---------------------------------------------------------------------------
// fetch follows redirects itself unless told not to
// ---------------------------------------------------------------------------

const manual = new WeakMap<globalThis.RequestInit, globalThis.RequestInit>()
const manualOnly: globalThis.RequestInit = { redirect: "manual" }

/**
 * Runs `effect` with `redirect: "manual"` added to the `FetchHttpClient.RequestInit`
 * in the context of `fiber` (the caller), so that a fetch transport hands every
 * 3xx to the client (which follows it by the client's own rules). Harmless
 * under the other transports.
 *
 * @internal
 */
export const withManualRedirects = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  fiber: RuntimeFiber<unknown, unknown>
): Effect.Effect<A, E, R> => {
  const init = requestInit(fiber)
  if (init?.redirect === "manual") return effect
  let patched = init === undefined ? manualOnly : manual.get(init)
  if (patched === undefined) {
    patched = { ...init, redirect: "manual" }
    manual.set(init!, patched)
  }
  return withRequestInit(effect, patched)
}

// ---------------------------------------------------------------------------
// the send
// ---------------------------------------------------------------------------

/** @internal */
export interface Transport {
  /** Sends `request` (absolute URL), retrying connect failures and following redirects. */
  readonly send: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, SendError>
}

/** @internal */
export const make = (config: Config, underlying: HttpClient.HttpClient): Transport => {
  const connectionAttempts = config.connectionAttempts

  /** Sends once, retrying TCP connect failures. */
  const connect = (
    request: HttpClientRequest.HttpClientRequest,
    n: number
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    catchAll(underlying.execute(request), (error) =>
      n < connectionAttempts && isConnectFailure(error)
        ? connect(request, n + 1)
        : Effect.fail(described(error, n)))

  if (!config.followRedirects) return { send: (request) => connect(request, 1) }

  const maxRedirects = config.maxRedirects
  const originBound = config.originBoundHeaders
  const follow = (
    request: HttpClientRequest.HttpClientRequest,
    locations: ReadonlyArray<string>,
    origin: string
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, SendError> =>
    Effect.flatMap(connect(request, 1), (response) => {
      if (!redirect.isRedirect(response.status)) return Effect.succeed(response)
      const location = response.headers["location"]
      if (location === undefined) return Effect.succeed(response)
      return Effect.andThen(
        release(response),
        Effect.suspend(() => next(request, response.status, location, locations, origin))
      )
    })

  const next = (
    request: HttpClientRequest.HttpClientRequest,
    status: number,
    location: string,
    locations: ReadonlyArray<string>,
    origin: string
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, SendError> => {
    const current = urlOf(request)
    const method = request.method
    const url = current?.href ?? request.url
    const target = redirect.resolve(location, current)
    if (target === undefined) {
      return Effect.fail(new InvalidRedirectError({ reason: "InvalidLocation", status, location, method, url }))
    }
    if (!redirect.isFollowable(target)) {
      return Effect.fail(new InvalidRedirectError({ reason: "UnsupportedScheme", status, location, method, url }))
    }
    const seen = [...locations, target.href]
    if (seen.length > maxRedirects) {
      return Effect.fail(new TooManyRedirectsError({ locations: seen, method, url: origin }))
    }
    // the redacted names are read only here, on a redirect: a request that is not redirected pays nothing
    return withFiber((fiber) =>
      follow(
        redirected(request, status, current ?? target, target, [...originBound, ...redactedNames(fiber)]),
        seen,
        origin
      )
    )
  }

  return { send: (request) => follow(request, [], request.url) }
}
