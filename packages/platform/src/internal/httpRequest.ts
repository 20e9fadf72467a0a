import * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import { dual } from "effect/Function"
import type * as HttpRequest from "../HttpRequest.js"

/**
 * The path template travels with the request in this header, percent-encoded.
 * Headers survive every `HttpClientRequest` combinator (they copy the request
 * with its headers), and `ResilientHttpClient` removes it before sending.
 *
 * @internal
 */
export const templateHeader = "x-aio-request-path-template"

const placeholder = /\{([^{}]*)\}/g

/**
 * A URL that no client can parse: a path parameter that would escape its
 * template (a whole `.` or `..` segment), is missing, or has no placeholder in
 * the template makes the request fail
 * with `RequestError` `InvalidUrl` instead of being sent elsewhere.
 */
const invalidUrl = (template: string, reason: string): string =>
  `http://[invalid request ${encodeURIComponent(template)}: ${reason}]`

/** A value for a placeholder the template does not have (`/items/:id` with `{ id }`): refused, never dropped. */
const unusedParameter = (template: string, name: string): string =>
  invalidUrl(template, `path parameter ${name} has no {${name}} placeholder in the template`)

/** @internal */
export const substitute = (
  template: string,
  path: Readonly<Record<string, string | number>> | undefined
): string => {
  const queryAt = template.indexOf("?")
  const pathPart = queryAt === -1 ? template : template.slice(0, queryAt)
  const rest = queryAt === -1 ? "" : template.slice(queryAt)
  // a placeholder in the query is never substituted: refuse it rather than send `{q}` as is
  const outside = rest.match(/\{([^{}]*)\}/)
  if (outside !== null) {
    return invalidUrl(template, `the placeholder {${outside[1]}} is outside the path (use options.query)`)
  }
  if (!pathPart.includes("{")) {
    const unused = path === undefined ? undefined : Object.keys(path)[0]
    return unused === undefined ? template : unusedParameter(template, unused)
  }
  let missing: string | undefined
  let malformed: string | undefined
  let escapes = false
  const segments = pathPart.split("/").map((segment) => {
    if (!segment.includes("{")) return segment
    const substituted = segment.replace(placeholder, (_, name: string) => {
      const value = path !== undefined && Object.prototype.hasOwnProperty.call(path, name) ? path[name] : undefined
      if (value === undefined) {
        missing ??= name
        return ""
      }
      try {
        return encodeURIComponent(String(value))
      } catch {
        // a lone UTF-16 surrogate has no UTF-8 form (URIError): refused below, never thrown
        malformed ??= name
        return ""
      }
    })
    if (substituted === "." || substituted === "..") escapes = true
    return substituted
  })
  if (missing !== undefined) return invalidUrl(template, `missing path parameter ${missing}`)
  if (malformed !== undefined) {
    return invalidUrl(template, `path parameter ${malformed} is not well-formed Unicode (a lone surrogate)`)
  }
  if (escapes) return invalidUrl(template, "a path parameter is a dot segment")
  if (path !== undefined) {
    for (const name of Object.keys(path)) {
      if (!pathPart.includes(`{${name}}`)) return unusedParameter(template, name)
    }
  }
  return segments.join("/") + rest
}

/** @internal */
export const queryParams = (query: HttpRequest.HttpRequest.Query | undefined): UrlParams.UrlParams => {
  if (query === undefined) return UrlParams.empty
  const out: Array<[string, string]> = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<string | number | boolean>) out.push([key, String(item)])
    } else {
      out.push([key, String(value)])
    }
  }
  return out
}

const build = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS",
  template: string,
  options: HttpRequest.HttpRequest.Options | undefined
): HttpClientRequest.HttpClientRequest => {
  const url = substitute(template, options?.path)
  let headers = Headers.unsafeFromRecord({ [templateHeader]: encodeURIComponent(template) })
  if (options?.headers !== undefined) headers = Headers.merge(headers, Headers.fromInput(options.headers))
  let request = HttpClientRequest.make(method)(url)
  request = HttpClientRequest.setHeaders(request, headers)
  const params = queryParams(options?.query)
  if (params.length > 0) request = HttpClientRequest.appendUrlParams(request, params)
  return request
}

/** @internal */
export const get = (template: string, options?: HttpRequest.HttpRequest.Options) => build("GET", template, options)
/** @internal */
export const post = (template: string, options?: HttpRequest.HttpRequest.Options) => build("POST", template, options)
/** @internal */
export const put = (template: string, options?: HttpRequest.HttpRequest.Options) => build("PUT", template, options)
/** @internal */
export const patch = (template: string, options?: HttpRequest.HttpRequest.Options) => build("PATCH", template, options)
/** @internal */
export const del = (template: string, options?: HttpRequest.HttpRequest.Options) => build("DELETE", template, options)
/** @internal */
export const head = (template: string, options?: HttpRequest.HttpRequest.Options) => build("HEAD", template, options)
/** @internal */
export const options = (template: string, options?: HttpRequest.HttpRequest.Options) =>
  build("OPTIONS", template, options)

/** @internal */
export const postJson = (template: string, body: unknown, options?: HttpRequest.HttpRequest.Options) =>
  HttpClientRequest.bodyUnsafeJson(build("POST", template, options), body)
/** @internal */
export const putJson = (template: string, body: unknown, options?: HttpRequest.HttpRequest.Options) =>
  HttpClientRequest.bodyUnsafeJson(build("PUT", template, options), body)
/** @internal */
export const patchJson = (template: string, body: unknown, options?: HttpRequest.HttpRequest.Options) =>
  HttpClientRequest.bodyUnsafeJson(build("PATCH", template, options), body)

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The template of a request: the one it was built with, else the path of its
 * URL (without the query string).
 *
 * @internal
 */
export const pathTemplate = (request: HttpClientRequest.HttpClientRequest): string => {
  const carried = request.headers[templateHeader]
  if (carried !== undefined) return safeDecode(carried)
  return pathOf(request.url)
}

const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

/** @internal */
export const pathOf = (url: string): string => {
  let end = url.length
  const q = url.indexOf("?")
  if (q !== -1) end = q
  const h = url.indexOf("#")
  if (h !== -1 && h < end) end = h
  const path = url.slice(0, end)
  if (!absolute.test(path)) return path
  try {
    return new URL(path).pathname
  } catch {
    return path
  }
}

/** @internal */
export const isAbsolute = (url: string): boolean => absolute.test(url)

/** @internal */
export const withPathTemplate = dual<
  (template: string) => (self: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest,
  (self: HttpClientRequest.HttpClientRequest, template: string) => HttpClientRequest.HttpClientRequest
>(2, (self, template) => HttpClientRequest.setHeader(self, templateHeader, encodeURIComponent(template)))

/**
 * The request without the headers `names` (`@effect/platform` has no
 * combinator that removes a header), and at `url` when given. The headers
 * are copied, not deleted from a copy: `delete` turns an object into a slow
 * dictionary for every later read.
 *
 * @internal
 */
export const removeHeaders = (
  self: HttpClientRequest.HttpClientRequest,
  names: ReadonlyArray<string>,
  url?: string | undefined
): HttpClientRequest.HttpClientRequest => {
  if (!names.some((name) => self.headers[name] !== undefined)) {
    return url === undefined ? self : HttpClientRequest.setUrl(self, url)
  }
  const kept: Record<string, string> = {}
  const headers = self.headers
  for (const name in headers) if (!names.includes(name)) kept[name] = headers[name]!
  let result = HttpClientRequest.make(self.method)(url ?? self.url)
  result = HttpClientRequest.setHeaders(result, Headers.unsafeFromRecord(kept))
  if (self.body._tag !== "Empty") result = HttpClientRequest.setBody(result, self.body)
  if (self.urlParams.length > 0) result = HttpClientRequest.setUrlParams(result, self.urlParams)
  if (self.hash._tag === "Some") result = HttpClientRequest.setHash(result, self.hash.value)
  return result
}
