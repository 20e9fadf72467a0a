/**
 * The scrape endpoint's decisions, as plain values: what a request gets
 * (the text, a 404 or a 405), whether the scraper takes gzip, and the labels
 * of `target_info` from the resource options. The glue owns the server.
 */
import { labelChars } from "./format.js"

/**
 * What a request to the scrape endpoint gets: `"text"` (200 and the text),
 * `"head"` (200, headers only), `404` (another path) or `405` (another method).
 */
export type Answer = "text" | "head" | 404 | 405

/**
 * The answer to `method` on `pathname` (the request target's path, as a URL
 * parser reads it; `undefined` when it cannot be read), the endpoint being `path`.
 */
export const answer = (method: string | undefined, pathname: string | undefined, path: string): Answer => {
  if (pathname !== path) return 404
  if (method === "HEAD") return "head"
  return method === "GET" ? "text" : 405
}

/** Whether an `Accept-Encoding` header accepts gzip (`gzip` or `*`, with a q-value other than 0). */
export const acceptsGzip = (header: string | undefined): boolean =>
  header !== undefined &&
  /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q\s*=\s*(?!0(?:\.0*)?\s*(?:,|$))[\d.]+\s*)?(?:,|$)/i.test(header)

/**
 * The labels of `target_info` (`service_name`, `service_version`, then each
 * attribute, its name made valid), or `undefined` without a service name.
 */
export const targetInfoLabels = (
  serviceName: string | undefined,
  serviceVersion: string | undefined,
  attributes: Readonly<Record<string, string>> | undefined
): ReadonlyArray<readonly [string, string]> | undefined => {
  if (serviceName === undefined || serviceName === "") return undefined
  const labels: Array<readonly [string, string]> = [["service_name", serviceName]]
  if (serviceVersion !== undefined) labels.push(["service_version", serviceVersion])
  for (const [key, value] of Object.entries(attributes ?? {})) labels.push([labelChars(key), String(value)])
  return labels
}

/** The path of a request target (`/metrics?x=1` → `/metrics`), or `undefined` when it cannot be read. */
export const pathnameOf = (target: string | undefined): string | undefined =>
  URL.canParse(target ?? "/", "http://localhost") ? new URL(target ?? "/", "http://localhost").pathname : undefined

/** The URL of the endpoint: `http://host:port/path`, an IPv6 host in brackets. */
export const urlOf = (host: string, port: number, path: string): string =>
  `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`
