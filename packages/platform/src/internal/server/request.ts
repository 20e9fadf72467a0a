/**
 * What the middleware knows of the request in progress (a plain object, shared
 * with `routeTimeout` through `currentRequest`), and the 408 decision made on
 * it, once: by the deadline's timer, a `routeTimeout`, or the answer's
 * pre-response handler.
 */
import type { Deadline } from "@aio-request/core"
import * as Headers from "@aio-request/kernel/http/headers"
import * as kernel from "@aio-request/kernel/http/serverDeadline"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"
import {
  appendPreResponseHandler,
  appendPreResponseHandlerUnsafe,
  currentTimeMillis,
  type HttpServerRequest,
  HttpServerResponse,
  removeHeaders,
  type RuntimeFiber,
  serverRequestOf
} from "../line.js"
import type { Resolved } from "./options.js"

/**
 * What the middleware knows of the request in progress; `routeTimeout` reads
 * it, and writes the route template and whether it took the deadline over.
 * A plain object: every read and write is one synchronous step of the
 * request's fibers, so no `Ref` is needed.
 *
 * @internal
 */
export interface RequestState extends kernel.Decision {
  readonly options: Resolved
  /** When the request arrived (see `arrivalNanos`), in epoch milliseconds. */
  readonly startMillis: number
  /** When the request arrived, in the clock's nanoseconds: the latency counts from it. */
  readonly startNanos: bigint
  /** The `request_client` label. */
  readonly client: string
  readonly method: string
  /** The server's span of the request, when it has no `http.route` yet (the router may set it). */
  readonly span: Tracer.Span | undefined
  /** The deadline read from `X-Request-Timeout`, capped by `maxTimeout`. */
  readonly headerDeadline: Deadline.Deadline | undefined
  /** The route template, when `routeTimeout` or the router told it. */
  route: string | undefined
  /** The deadline in force: the header's, the route's or the default. */
  deadline: Deadline.Deadline
  /** `true` once a `routeTimeout` owns the deadline (no header was sent). */
  routeOwnsDeadline: boolean
  /** Whether the answer is a 408; decided once, by whoever comes first. */
  outcome: Outcome
}

/** @internal */
export type Outcome = kernel.Outcome

// The state of each request in progress is kept on the request's source
// (the platform's own request object, which every copy of the request keeps:
// the router's prefix-stripped one too), under a symbol, else in a WeakMap:
// not in the fiber's context, where it would be one more service to add per
// request.
const stateKey = Symbol.for("@aio-request/platform/ServerMiddleware/RequestState")
const states = new WeakMap<object, RequestState>()

interface Carrier {
  [stateKey]?: RequestState | undefined
}

/**
 * Makes `state` the state of `request`, for `routeTimeout`.
 *
 * @internal
 */
export const setCurrentRequest = (request: HttpServerRequest.HttpServerRequest, state: RequestState): void => {
  const source = request.source
  if (typeof source !== "object" || source === null) states.set(request, state)
  else if (Object.isExtensible(source)) (source as Carrier)[stateKey] = state
  else states.set(source, state)
}

/**
 * The state of the request in `context` when the middleware runs it.
 *
 * @internal
 */
export const currentRequest = (context: Parameters<typeof serverRequestOf>[0]): RequestState | undefined => {
  const request = serverRequestOf(context)
  if (request === undefined) return undefined
  const source = request.source
  if (typeof source !== "object" || source === null) return states.get(request)
  return (source as Carrier)[stateKey] ?? states.get(source)
}

/** @internal */
export const requestTimeoutResponse = (): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.empty({ status: 408 })

/**
 * Decides that the answer is 408, unless another answer was decided first.
 *
 * @internal
 */
export const claimTimeout: (state: RequestState) => boolean = kernel.claimTimeout

/** @internal */
export const decide: (state: RequestState, status: number, nowMillis: number) => boolean = kernel.decide

const as408 = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse =>
  response.status === 408
    ? response
    : HttpServerResponse.empty({
      status: 408,
      // the headers describing the body go with it
      headers: removeHeaders(response.headers, Headers.bodyHeaders)
    })

/**
 * The answer goes through the pre-response handlers of the request's fiber
 * (on Effect 3, those of the fiber that writes it: the app's own with
 * `HttpServer.serve(app, middleware)`): a handler installed there turns the
 * answer into a 408 when so decided. With `cancelOnTimeout` it is installed
 * before the app runs (the decision is made when the answer is written).
 * Without, only a `routeTimeout` decides on a 408 (and answers one): it
 * installs `replaceWith408` then, in case something between it and the
 * server turns that answer into another.
 *
 * @internal
 */
export const decideOnResponse = (
  fiber: RuntimeFiber<unknown, unknown>,
  state: RequestState,
  clock: Clock.Clock
): void =>
  appendPreResponseHandlerUnsafe(
    fiber,
    (_request, response) =>
      Effect.sync(() => decide(state, response.status, currentTimeMillis(clock)) ? as408(response) : response)
  )

/** @internal */
export const replaceWith408: Effect.Effect<void> = appendPreResponseHandler((_request, response) =>
  Effect.succeed(as408(response))
)
