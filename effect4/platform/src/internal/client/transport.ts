/**
 * Stage 3 of an attempt, the send: the `HttpClient` in context (undici,
 * node:http, fetch), with TCP connect failures retried `connectionAttempts` times,
 * redirects followed by the client itself (the same rules over every
 * transport; only http(s) locations), transport errors described (system
 * error code and address), and the release of responses nobody will read.
 */
import * as redirect from "@aio-request/kernel/http/redirect"
import * as kernel from "@aio-request/kernel/http/transport"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as PlatformHeaders from "effect/http/Headers"
import * as HttpBody from "effect/http/HttpBody"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Url from "effect/http/Url"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type { RuntimeFiber } from "../line.js"
import type { Config } from "./config.js"
import { InvalidRedirectError, TooManyRedirectsError } from "./errors.js"

/** @internal */
export type SendError = HttpClientError.HttpClientError | TooManyRedirectsError | InvalidRedirectError

/** `request` without the headers `names` (lower-case), or `request` itself when it has none of them. @internal */
export const withoutHeaders = (
  request: HttpClientRequest.HttpClientRequest,
  names: ReadonlyArray<string>
): HttpClientRequest.HttpClientRequest => {
  let result = request
  for (const name of names) {
    if (result.headers[name] !== undefined) result = HttpClientRequest.removeHeader(result, name)
  }
  return result
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
export const isConnectFailure = (error: HttpClientError.HttpClientError): boolean =>
  error.reason._tag === "TransportError" && kernel.isConnectFailure(error.reason.cause)

/**
 * The transport error with a description a person can act on: the system
 * error code and address (`ECONNREFUSED 127.0.0.1:40279`) and, for connect
 * failures, how many connects were tried.
 */
const described = (error: HttpClientError.HttpClientError, connects: number): HttpClientError.HttpClientError => {
  const reason = error.reason
  if (reason._tag !== "TransportError" || reason.description !== undefined) return error
  return new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({
      request: reason.request,
      cause: reason.cause,
      description: kernel.describeTransportFailure(reason.cause, connects)
    })
  })
}

// ---------------------------------------------------------------------------
// release
// ---------------------------------------------------------------------------

/**
 * Releases a response nobody will read: a read of its body is started and
 * interrupted at once, which aborts the connection. The handshake makes sure
 * the read has started, so that its finalizer is in place.
 *
 * @internal
 */
export const release = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.flatMap(Deferred.make<void>(), (started) =>
    Effect.flatMap(
      // releases run in finalizers: the reader must be interruptible all the same
      Effect.forkDetach(
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
 * option, and the fiber's `Headers.CurrentRedactedNames`).
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
export const urlOf = (request: HttpClientRequest.HttpClientRequest): URL | undefined => {
  const result = Url.make(request.url, request.urlParams, Option.getOrUndefined(request.hash))
  return Result.isSuccess(result) ? result.success : undefined
}

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
  const context = fiber.context
  const init = Context.getOrUndefined(context, FetchHttpClient.RequestInit)
  if (init?.redirect === "manual") return effect
  let patched = init === undefined ? manualOnly : manual.get(init)
  if (patched === undefined) {
    patched = { ...init, redirect: "manual" }
    manual.set(init!, patched)
  }
  return Effect.provideService(effect, FetchHttpClient.RequestInit, patched)
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
    Effect.catch(underlying.execute(request), (error) =>
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
    return Effect.withFiber((fiber) => {
      const redacted = fiber.getRef(PlatformHeaders.CurrentRedactedNames)
      return follow(redirected(request, status, current ?? target, target, [...originBound, ...redacted]), seen, origin)
    })
  }

  return { send: (request) => follow(request, [], request.url) }
}
