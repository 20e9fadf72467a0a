/**
 * The messages of the resilient client's own errors. Each names the request
 * (method and URL) and what failed, so that a log line is enough to act on.
 * The error classes are glue; their `message` getters call these.
 */

/** A readable text for any thrown or failed value. */
export const describe = (cause: unknown): string => {
  if (cause instanceof Error) return cause.message
  if (typeof cause === "string") return cause
  try {
    return JSON.stringify(cause) ?? String(cause)
  } catch {
    return String(cause)
  }
}

/** `"METHOD URL: "`, or `""` when neither is known. */
export const requestOf = (method: string | undefined, url: string | undefined): string =>
  method === undefined && url === undefined ? "" : `${method ?? ""} ${url ?? ""}`.trim() + ": "

/** The message of `TooManyRedirectsError`. */
export const tooManyRedirects = (
  method: string | undefined,
  url: string | undefined,
  locations: ReadonlyArray<string>
): string => `${requestOf(method, url)}too many redirects (${locations.length}): ${locations.join(" -> ")}`

/** The message of `InvalidRedirectError`. */
export const invalidRedirect = (
  reason: "UnsupportedScheme" | "InvalidLocation",
  method: string,
  url: string,
  status: number,
  location: string
): string =>
  reason === "UnsupportedScheme"
    ? `${method} ${url}: redirect ${status} to ${
      JSON.stringify(location.slice(0, 200))
    } refused (only http and https locations are followed)`
    : `${method} ${url}: redirect ${status} to ${JSON.stringify(location.slice(0, 200))} refused (not a URL)`

/** The message of `EndpointError`. */
export const endpoint = (
  reason: "ProviderFailed" | "Invalid",
  method: string | undefined,
  url: string | undefined,
  endpoint: string | undefined,
  cause: unknown
): string =>
  reason === "Invalid"
    ? `${requestOf(method, url)}endpoint ${JSON.stringify(endpoint)} is not an absolute http(s) URL`
    : `${requestOf(method, url)}the endpoint provider failed: ${describe(cause)}`

/** The message of `EnrichError`. */
export const enrich = (method: string | undefined, url: string | undefined, cause: unknown): string =>
  `${requestOf(method, url)}enrich failed: ${describe(cause)}`
