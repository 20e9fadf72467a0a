/**
 * The server middleware's options, checked and resolved once by `make`, and
 * the route labels of requests no route template names.
 */
import { Options } from "@aio-request/core"
import type * as Priority from "@aio-request/core/Priority"
import * as Headers from "@aio-request/kernel/http/headers"
import * as metrics from "@aio-request/kernel/http/metrics"
import * as trust from "@aio-request/kernel/http/trust"
import * as Duration from "effect/Duration"
import type * as ServerMiddleware from "../../ServerMiddleware.js"
import type { HttpServerRequest } from "../line.js"

/** @internal */
export const unmatchedRoute = "<unmatched>"

/** @internal */
export const unknownRoute = "<unknown>"

/** @internal */
export const unknownClient = Headers.unknownClient

/** @internal */
export interface Resolved {
  readonly timeoutMillis: number
  readonly priority: Priority.Priority
  readonly lowTimeoutThresholdMillis: number
  readonly cancelOnTimeout: boolean
  readonly maxTimeoutMillis: number
  readonly clientHeader: string
  readonly maxClients: number
  /** Whose priority and deadline headers are believed as sent. */
  readonly trust: (request: HttpServerRequest.HttpServerRequest) => boolean
  readonly untrustedMaxTimeoutMillis: number
  readonly untrustedMaxPriority: Priority.Priority
}

/**
 * The default `trust`: a caller on loopback or a private network, or whose
 * address the platform does not tell.
 *
 * @internal
 */
export const trustPrivateNetworks = (request: HttpServerRequest.HttpServerRequest): boolean =>
  trust.defaultTrust(request.remoteAddress._tag === "Some" ? request.remoteAddress.value : undefined)

/**
 * Whether `resolved.trust` trusts the request; a predicate that throws does not.
 *
 * @internal
 */
export const trusts = (resolved: Resolved, request: HttpServerRequest.HttpServerRequest): boolean => {
  try {
    return resolved.trust(request) === true
  } catch {
    return false
  }
}

/** @internal */
export const defaultMaxClients = metrics.defaultMaxClients

/** @internal */
export const resolve = (options: ServerMiddleware.Options | undefined): Resolved => {
  const where = "ServerMiddleware.make"
  if (options !== undefined) Options.record(where, "options", options)
  const priority = Options.oneOf(where, "priority", options?.priority ?? "normal", ["high", "normal", "low"])
  const cancelOnTimeout = Options.boolean(where, "cancelOnTimeout", options?.cancelOnTimeout ?? false)
  const clientHeader = Options.string(where, "clientHeader", options?.clientHeader ?? Headers.ServiceName)
  if (!Headers.isHeaderName(clientHeader)) Options.fail(where, "clientHeader", "a header name", clientHeader)
  const maxClients = Options.integer(where, "maxClients", options?.maxClients ?? defaultMaxClients, 1)
  const timeoutMillis = Duration.toMillis(
    Options.duration(where, "timeout", options?.timeout ?? "20 seconds", { positive: true })
  )
  const lowTimeoutThresholdMillis = Duration.toMillis(
    Options.duration(where, "lowTimeoutThreshold", options?.lowTimeoutThreshold ?? "5 millis")
  )
  if (timeoutMillis < lowTimeoutThresholdMillis) {
    Options.fail(where, "timeout", "at least lowTimeoutThreshold", Duration.millis(timeoutMillis))
  }
  const maxTimeoutMillis = Duration.toMillis(
    Options.duration(where, "maxTimeout", options?.maxTimeout ?? "5 minutes", { positive: true })
  )
  const untrustedMaxPriority = Options.oneOf(where, "untrustedMaxPriority", options?.untrustedMaxPriority ?? "normal", [
    "high",
    "normal",
    "low"
  ])
  const untrustedMaxTimeoutMillis = options?.untrustedMaxTimeout === undefined
    ? Math.min(timeoutMillis, maxTimeoutMillis)
    : Duration.toMillis(Options.duration(where, "untrustedMaxTimeout", options.untrustedMaxTimeout, { positive: true }))
  if (untrustedMaxTimeoutMillis > maxTimeoutMillis) {
    Options.fail(where, "untrustedMaxTimeout", "at most maxTimeout", options?.untrustedMaxTimeout)
  }
  return {
    timeoutMillis,
    priority,
    lowTimeoutThresholdMillis,
    cancelOnTimeout,
    maxTimeoutMillis,
    clientHeader: clientHeader.toLowerCase(),
    maxClients,
    trust: options?.trust === undefined ? trustPrivateNetworks : Options.callable(where, "trust", options.trust),
    untrustedMaxTimeoutMillis,
    untrustedMaxPriority
  }
}
