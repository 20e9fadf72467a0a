/**
 * The client's pure transport rules: which endpoint a client may have, and
 * what a transport failure was (a failed connect, or a failure after the
 * connection was made), described so that a person can act on it.
 */

/** An endpoint, parsed once. */
export interface Endpoint {
  /** The endpoint as a label and circuit scope. */
  readonly label: string
  /** What relative URLs are appended to: the endpoint, ending with `/`, without query or fragment. */
  readonly prefix: string
}

/** The endpoint `input` names, if it is an absolute http(s) URL; else `undefined`. */
export const parseEndpoint = (input: string | URL): Endpoint | undefined => {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    return undefined
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
  url.search = ""
  url.hash = ""
  const prefix = url.href.endsWith("/") ? url.href : url.href + "/"
  return { label: url.href, prefix }
}

/** The system error codes of a connect that reached nothing. */
export const connectFailureCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** A system error found in a cause chain. */
export interface SystemError {
  readonly code: string
  readonly address?: string | undefined
  readonly port?: number | undefined
}

/** The system errors in the cause chain of `cause` (an `AggregateError` of happy-eyeballs connects gives several). */
export const systemErrors = (cause: unknown): Array<SystemError> => {
  const found: Array<SystemError> = []
  const seen = new Set<unknown>()
  const visit = (u: unknown): void => {
    if (typeof u !== "object" || u === null || seen.has(u)) return
    seen.add(u)
    const e = u as { readonly code?: unknown; readonly address?: unknown; readonly port?: unknown }
    if (typeof e.code === "string" && !e.code.startsWith("ERR_")) {
      found.push({
        code: e.code,
        address: typeof e.address === "string" ? e.address : undefined,
        port: typeof e.port === "number" ? e.port : undefined
      })
    }
    const errors = (u as { readonly errors?: unknown }).errors
    if (Array.isArray(errors)) errors.forEach(visit)
    visit((u as { readonly cause?: unknown }).cause)
  }
  visit(cause)
  return found
}

/** Whether every system error of a transport failure's `cause` is a failed connect (nothing reached the server). */
export const isConnectFailure = (cause: unknown): boolean => {
  const errors = systemErrors(cause)
  return errors.length > 0 && errors.every((e) => connectFailureCodes.has(e.code))
}

const hostPort = (e: SystemError) =>
  e.port === undefined ? e.address! : e.address!.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`

/**
 * A description of a transport failure a person can act on: the system error
 * code and address (`ECONNREFUSED 127.0.0.1:40279`) and, for connect
 * failures, how many connects were tried.
 */
export const describeTransportFailure = (cause: unknown, connects: number): string => {
  const errors = systemErrors(cause)
  const what = errors.length > 0
    ? [...new Set(errors.map((e) => e.address === undefined ? e.code : `${e.code} ${hostPort(e)}`))].join(", ")
    : cause instanceof Error
    ? cause.message
    : "transport failure"
  const connecting = errors.length > 0 && errors.every((e) => connectFailureCodes.has(e.code))
  return connecting ? `${what} (${connects} connect${connects === 1 ? "" : "s"})` : what
}
