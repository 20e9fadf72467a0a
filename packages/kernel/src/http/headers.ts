/**
 * The system headers: their names, the parsing and formatting of
 * `X-Request-Timeout`, the `request_client` label read from the caller's
 * header, and the RFC 9110 checks of header names and values.
 */

/** `X-Request-Timeout`: the time left for the request, in seconds (decimal). */
export const RequestTimeout = "x-request-timeout" as const

/** `X-Request-Priority`: `high`, `normal` or `low`. */
export const RequestPriority = "x-request-priority" as const

/** `X-Service-Name`: the name of the calling service. */
export const ServiceName = "x-service-name" as const

/** `X-Do-Not-Retry`: the response, whatever its status, must not be retried. */
export const DoNotRetry = "x-do-not-retry" as const

/** `X-Circuit-Breaker`: produced by a circuit breaker rather than by the upstream. */
export const CircuitBreaker = "x-circuit-breaker" as const

/**
 * `X-Retry-After-Ms`: on a 429 or 503, the milliseconds the client should wait
 * before its next attempt (ours, as gRPC's `grpc-retry-pushback-ms`); a
 * negative or malformed value asks it to send none.
 */
export const RetryAfterMs = "x-retry-after-ms" as const

/** `Retry-After` (RFC 9110): delta-seconds or an HTTP-date. */
export const RetryAfter = "retry-after" as const

/** The canonical spelling of each system header. */
export const canonical: {
  readonly [RequestTimeout]: "X-Request-Timeout"
  readonly [RequestPriority]: "X-Request-Priority"
  readonly [ServiceName]: "X-Service-Name"
  readonly [DoNotRetry]: "X-Do-Not-Retry"
  readonly [CircuitBreaker]: "X-Circuit-Breaker"
  readonly [RetryAfterMs]: "X-Retry-After-Ms"
} = {
  [RequestTimeout]: "X-Request-Timeout",
  [RequestPriority]: "X-Request-Priority",
  [ServiceName]: "X-Service-Name",
  [DoNotRetry]: "X-Do-Not-Retry",
  [CircuitBreaker]: "X-Circuit-Breaker",
  [RetryAfterMs]: "X-Retry-After-Ms"
}

const decimalSeconds = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * Reads `X-Request-Timeout` as milliseconds: seconds, decimal, finite and
 * non-negative. Anything else (absent, empty, negative, NaN, infinite such as
 * `1e309`, hexadecimal, signed, not a number) is `undefined`.
 */
export const parseTimeoutMillis = (header: string | undefined): number | undefined => {
  if (header === undefined) return undefined
  const trimmed = header.trim()
  if (!decimalSeconds.test(trimmed)) return undefined
  const seconds = Number(trimmed)
  if (!Number.isFinite(seconds) || seconds < 0) return undefined
  // a finite number of seconds may overflow in milliseconds: it is still a
  // (very long) deadline, which maxTimeout caps
  return Math.min(seconds * 1000, Number.MAX_VALUE)
}

/**
 * Writes `X-Request-Timeout` from the milliseconds left: seconds with three
 * decimals, the milliseconds floored (never rounded up).
 */
export const formatTimeout = (millis: number): string => (Math.floor(millis) / 1000).toFixed(3)

/** The `request_client` label of a caller that sends no (valid) name. */
export const unknownClient = "unknown"

const clientName = /^[A-Za-z0-9._:\-/]{1,64}$/

/**
 * The metric label of the calling service: the header's value if it looks
 * like a service name (bounded length, no spaces), else `"unknown"`.
 */
export const clientLabel = (header: string | undefined): string => {
  if (header === undefined) return unknownClient
  const trimmed = header.trim()
  return clientName.test(trimmed) ? trimmed : unknownClient
}

// RFC 9110 token
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Whether `name` is a valid header name (an RFC 9110 token). */
export const isHeaderName = (name: string): boolean => token.test(name)

// RFC 9110 field-value: HTAB, SP, visible ASCII and obs-text (0x80-0xFF); what node:http and undici accept.
const badValue = /[^\t\x20-\x7e\x80-\xff]/

/** Whether `value` can be sent as a header value as it is. */
export const isHeaderValue = (value: string): boolean => !badValue.test(value)

const hex = (code: number): string => code.toString(16).toUpperCase().padStart(4, "0")

/** Why `value` cannot be sent as a header value, or `undefined` when it can. */
export const invalidValue = (value: string): string | undefined => {
  const at = value.search(badValue)
  if (at === -1) return undefined
  const code = value.charCodeAt(at)
  return code === 13 || code === 10
    ? "contains CR or LF"
    : code > 0xff
    ? `contains ${JSON.stringify(value[at])} (U+${hex(code)}), outside Latin-1`
    : `contains the control character U+${hex(code)}`
}

/** The headers describing a body: dropped when an answer is replaced by an empty one. */
export const bodyHeaders: ReadonlyArray<string> = [
  "content-type",
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "etag"
]
