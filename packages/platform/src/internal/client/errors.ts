/**
 * The resilient client's own errors. Each message names the request (method
 * and URL) and what failed, so that a log line is enough to act on.
 */
import * as Data from "effect/Data"

const describe = (cause: unknown): string => {
  if (cause instanceof Error) return cause.message
  if (typeof cause === "string") return cause
  try {
    return JSON.stringify(cause) ?? String(cause)
  } catch {
    return String(cause)
  }
}

const requestOf = (method: string | undefined, url: string | undefined): string =>
  method === undefined && url === undefined ? "" : `${method ?? ""} ${url ?? ""}`.trim() + ": "

/** @internal */
export class TooManyRedirectsError extends Data.TaggedError("TooManyRedirectsError")<{
  readonly locations: ReadonlyArray<string>
  readonly method?: string | undefined
  readonly url?: string | undefined
}> {
  override get message() {
    return `${requestOf(this.method, this.url)}too many redirects (${this.locations.length}): ${
      this.locations.join(" -> ")
    }`
  }
}

/** @internal */
export class InvalidRedirectError extends Data.TaggedError("InvalidRedirectError")<{
  readonly reason: "UnsupportedScheme" | "InvalidLocation"
  readonly status: number
  readonly location: string
  readonly method: string
  readonly url: string
}> {
  override get message() {
    return this.reason === "UnsupportedScheme"
      ? `${this.method} ${this.url}: redirect ${this.status} to ${
        JSON.stringify(this.location.slice(0, 200))
      } refused (only http and https locations are followed)`
      : `${this.method} ${this.url}: redirect ${this.status} to ${
        JSON.stringify(this.location.slice(0, 200))
      } refused (not a URL)`
  }
}

/** @internal */
export class EndpointError extends Data.TaggedError("EndpointError")<{
  readonly reason: "ProviderFailed" | "Invalid"
  readonly endpoint?: string | undefined
  readonly cause?: unknown
  readonly method?: string | undefined
  readonly url?: string | undefined
}> {
  override get message() {
    return this.reason === "Invalid"
      ? `${requestOf(this.method, this.url)}endpoint ${JSON.stringify(this.endpoint)} is not an absolute http(s) URL`
      : `${requestOf(this.method, this.url)}the endpoint provider failed: ${describe(this.cause)}`
  }
}

/** @internal */
export class EnrichError extends Data.TaggedError("EnrichError")<{
  readonly cause: unknown
  readonly method?: string | undefined
  readonly url?: string | undefined
}> {
  override get message() {
    return `${requestOf(this.method, this.url)}enrich failed: ${describe(this.cause)}`
  }
}
