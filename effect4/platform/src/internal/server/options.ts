/**
 * The server middleware's options, checked and resolved once by `make`, and
 * the route labels of requests no route template names.
 */
import { Options } from "@aio-request/core"
import type * as Priority from "@aio-request/core/Priority"
import * as Headers from "@aio-request/kernel/http/headers"
import * as metrics from "@aio-request/kernel/http/metrics"
import * as Duration from "effect/Duration"
import type * as ServerMiddleware from "../../ServerMiddleware.js"

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
    Options.fail(where, "timeout", "at least lowTimeoutThreshold", options?.timeout ?? "20 seconds")
  }
  const maxTimeoutMillis = Duration.toMillis(
    Options.duration(where, "maxTimeout", options?.maxTimeout ?? "5 minutes", { positive: true })
  )
  return {
    timeoutMillis,
    priority,
    lowTimeoutThresholdMillis,
    cancelOnTimeout,
    maxTimeoutMillis,
    clientHeader: clientHeader.toLowerCase(),
    maxClients
  }
}
