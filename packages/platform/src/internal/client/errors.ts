/**
 * The resilient client's own errors. Each message names the request (method
 * and URL) and what failed, so that a log line is enough to act on; the text
 * is the kernel's.
 */
import * as messages from "@aio-request/kernel/http/clientErrors"
import * as Data from "effect/Data"

/** @internal */
export class TooManyRedirectsError extends Data.TaggedError("TooManyRedirectsError")<{
  readonly locations: ReadonlyArray<string>
  readonly method?: string | undefined
  readonly url?: string | undefined
}> {
  override get message() {
    return messages.tooManyRedirects(this.method, this.url, this.locations)
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
    return messages.invalidRedirect(this.reason, this.method, this.url, this.status, this.location)
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
    return messages.endpoint(this.reason, this.method, this.url, this.endpoint, this.cause)
  }
}

/** @internal */
export class EnrichError extends Data.TaggedError("EnrichError")<{
  readonly cause: unknown
  readonly method?: string | undefined
  readonly url?: string | undefined
}> {
  override get message() {
    return messages.enrich(this.method, this.url, this.cause)
  }
}
