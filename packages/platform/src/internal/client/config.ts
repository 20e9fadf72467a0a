/**
 * Stage 0, once per client: the options of `ResilientHttpClient.make`,
 * checked for JavaScript callers as well (each refused with a message naming
 * the option) and turned into what the request path reads.
 */
import type { CircuitBreaker, ConcurrencyLimit, Priority, RetryBudget } from "@aio-request/core"
import { Options, Strategy } from "@aio-request/core"
import * as ContentType from "@aio-request/kernel/http/contentType"
import * as redirect from "@aio-request/kernel/http/redirect"
import * as transport from "@aio-request/kernel/http/transport"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as ResilientHttpClient from "../../ResilientHttpClient.js"
import type * as ResponseClassifier from "../../ResponseClassifier.js"
import type { HttpClientRequest } from "../line.js"
import * as responseClassifier from "../responseClassifier.js"
import type { JsonContentTypes } from "./body.js"
import * as headers from "./headers.js"

const where = "ResilientHttpClient.make"

/** @internal */
export type Endpoint = transport.Endpoint

/** @internal */
export const parseEndpoint: (input: string | URL) => Endpoint | undefined = transport.parseEndpoint

/** @internal */
export interface Config {
  /** The fixed endpoint, or undefined when `endpointProvider` gives it per request. */
  readonly endpoint: Endpoint | undefined
  readonly endpointProvider: Effect.Effect<string | URL, unknown> | undefined
  readonly strategy: Strategy.Strategy
  readonly classifier: ResponseClassifier.ResponseClassifier
  readonly timeout: Duration.Duration
  /** The explicit priority, if any (see the kernel's `priority.outgoing`). */
  readonly priority: Priority.Priority | undefined
  readonly lowTimeoutMillis: number
  readonly emitSystemHeaders: boolean
  readonly serviceName: string | undefined
  readonly enrich:
    | ((request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, unknown>)
    | undefined
  readonly circuitBreaker: CircuitBreaker.CircuitBreaker.Service | undefined
  readonly retryBudget: RetryBudget.RetryBudget.Service | undefined
  readonly concurrencyLimit: ConcurrencyLimit.ConcurrencyLimit.Service | undefined
  readonly connectionAttempts: number
  readonly maxRedirects: number
  readonly followRedirects: boolean
  /** What `json` on the returned response reads. */
  readonly json: JsonContentTypes
  /** The headers (lower-case names, or patterns) dropped on a redirect to another origin, besides the redacted ones. */
  readonly originBoundHeaders: ReadonlyArray<string | RegExp>
  /** The longest pushback wait honoured, in milliseconds; `undefined` when pushback is off. */
  readonly pushbackMaxWait: number | undefined
  /** How many distinct `request_path` values the metrics record, then `HttpMetrics.overflowLabel`. */
  readonly maxPaths: number
}

const optional = <A, B>(value: A | undefined, check: (value: A) => B): B | undefined =>
  value === undefined ? undefined : check(value)

const jsonContentTypes = (value: unknown): JsonContentTypes => {
  if (value === undefined) return []
  if (value === "any") return "any"
  const expected = "\"any\" or an array of media types (\"text/plain\")"
  if (!Array.isArray(value)) return Options.fail(where, "jsonContentTypes", expected, value)
  return value.map((type: unknown) => {
    const lower = typeof type === "string" ? type.trim().toLowerCase() : undefined
    return lower !== undefined && ContentType.isMediaType(lower)
      ? lower
      : Options.fail(where, "jsonContentTypes", expected, type)
  })
}

const originBoundHeaders = (value: unknown): ReadonlyArray<string | RegExp> => {
  if (value === undefined) return redirect.credentialHeaders
  const expected = "an array of header names or RegExps"
  if (!Array.isArray(value)) return Options.fail(where, "originBoundHeaders", expected, value)
  return value.map((name: unknown) => {
    if (name instanceof RegExp) return name
    return typeof name === "string" && headers.isName(name)
      ? name.toLowerCase()
      : Options.fail(where, "originBoundHeaders", expected, name)
  })
}

const pushbackMaxWait = (value: ResilientHttpClient.ResilientHttpClient.Options["pushback"]): number | undefined => {
  if (value === undefined || value === true) return 60_000
  if (value === false) return undefined
  if (typeof value !== "object" || value === null) {
    return Options.fail(where, "pushback", "true, false or { maxWait }", value)
  }
  return Duration.toMillis(Options.duration(where, "pushback.maxWait", value.maxWait ?? "1 minute"))
}

/** @internal */
export const make = (options: ResilientHttpClient.ResilientHttpClient.Options): Config => {
  Options.record(where, "options", options)
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
  let endpoint: Endpoint | undefined
  if (hasEndpoint) {
    const input = options.endpoint!
    if (typeof input !== "string" && !(input instanceof URL)) {
      return Options.fail(where, "endpoint", "an absolute http(s) URL (a string or a URL)", input)
    }
    endpoint = parseEndpoint(input)
    if (endpoint === undefined) return Options.fail(where, "endpoint", "an absolute http(s) URL", String(input))
  } else if (!Effect.isEffect(options.endpointProvider)) {
    return Options.fail(where, "endpointProvider", "an Effect", options.endpointProvider)
  }
  const strategy = options.strategy ?? Strategy.default
  if (!Strategy.isStrategy(strategy)) Options.fail(where, "strategy", "a Strategy", strategy)
  const serviceName = optional(options.serviceName, (name) => {
    Options.string(where, "serviceName", name, { nonEmpty: true })
    const invalid = headers.invalidValue(name)
    if (invalid !== undefined) Options.fail(where, "serviceName", `a header value (it ${invalid})`, name)
    return name
  })
  return {
    endpoint,
    endpointProvider: options.endpointProvider,
    strategy,
    classifier: optional(options.classifier, (f) => Options.callable(where, "classifier", f)) ??
      responseClassifier.make(),
    timeout: Options.duration(where, "timeout", options.timeout ?? "20 seconds", { positive: true }),
    priority: optional(
      options.priority,
      (given) => Options.oneOf<Priority.Priority>(where, "priority", given, ["high", "normal", "low"])
    ),
    lowTimeoutMillis: Duration.toMillis(
      Options.duration(where, "lowTimeoutThreshold", options.lowTimeoutThreshold ?? "5 millis")
    ),
    emitSystemHeaders: Options.boolean(where, "emitSystemHeaders", options.emitSystemHeaders ?? true),
    serviceName,
    enrich: optional(options.enrich, (f) => Options.callable(where, "enrich", f)),
    circuitBreaker: optional(
      options.circuitBreaker,
      (breaker) => Options.service(where, "circuitBreaker", breaker, "CircuitBreaker", ["execute", "state"])
    ),
    retryBudget: optional(
      options.retryBudget,
      (budget) => Options.service(where, "retryBudget", budget, "RetryBudget", ["deposit", "tryWithdraw"])
    ),
    concurrencyLimit: optional(
      options.concurrencyLimit,
      (limiter) => Options.service(where, "concurrencyLimit", limiter, "ConcurrencyLimit", ["admit", "state"])
    ),
    connectionAttempts: Options.integer(where, "connectionAttempts", options.connectionAttempts ?? 3, 1),
    maxRedirects: Options.integer(where, "maxRedirects", options.maxRedirects ?? 10, 0),
    followRedirects: Options.boolean(where, "followRedirects", options.followRedirects ?? true),
    json: jsonContentTypes(options.jsonContentTypes),
    originBoundHeaders: originBoundHeaders(options.originBoundHeaders),
    pushbackMaxWait: pushbackMaxWait(options.pushback),
    maxPaths: Options.integer(where, "maxPaths", options.maxPaths ?? 1_000, 1)
  }
}
