import * as kernel from "@aio-request/kernel/http/pathTemplate"
import { dual } from "effect/Function"
import type * as HttpRequest from "../HttpRequest.js"
import {
  bodyJsonUnsafe,
  emptyUrlParams,
  hasUrlParams,
  headersFromInput,
  headersFromRecordUnsafe,
  HttpClientRequest,
  mergeHeaders,
  type UrlParams,
  urlParams
} from "./line.js"

/**
 * The path template travels with the request in this header, percent-encoded.
 * Headers survive every `HttpClientRequest` combinator (they copy the request
 * with its headers), and `ResilientHttpClient` removes it before sending.
 *
 * @internal
 */
export const templateHeader = "x-aio-request-path-template"

/** @internal */
export const substitute: (
  template: string,
  path: Readonly<Record<string, string | number>> | undefined
) => string = kernel.substitute

/** @internal */
export const queryParams = (query: HttpRequest.HttpRequest.Query | undefined): UrlParams =>
  query === undefined ? emptyUrlParams : urlParams(kernel.queryPairs(query))

const build = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS",
  template: string,
  options: HttpRequest.HttpRequest.Options | undefined
): HttpClientRequest.HttpClientRequest => {
  const url = substitute(template, options?.path)
  let headers = headersFromRecordUnsafe({ [templateHeader]: kernel.encodeTemplate(template) })
  if (options?.headers !== undefined) headers = mergeHeaders(headers, headersFromInput(options.headers))
  let request = HttpClientRequest.make(method)(url)
  request = HttpClientRequest.setHeaders(request, headers)
  const params = queryParams(options?.query)
  if (hasUrlParams(params)) request = HttpClientRequest.appendUrlParams(request, params)
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
  bodyJsonUnsafe(build("POST", template, options), body)
/** @internal */
export const putJson = (template: string, body: unknown, options?: HttpRequest.HttpRequest.Options) =>
  bodyJsonUnsafe(build("PUT", template, options), body)
/** @internal */
export const patchJson = (template: string, body: unknown, options?: HttpRequest.HttpRequest.Options) =>
  bodyJsonUnsafe(build("PATCH", template, options), body)

/**
 * The template of a request: the one it was built with, else the path of its
 * URL (without the query string).
 *
 * @internal
 */
export const pathTemplate = (request: HttpClientRequest.HttpClientRequest): string => {
  const carried = request.headers[templateHeader]
  if (carried !== undefined) return kernel.decodeTemplate(carried)
  return pathOf(request.url)
}

/** @internal */
export const pathOf: (url: string) => string = kernel.pathOf

/** @internal */
export const isAbsolute: (url: string) => boolean = kernel.isAbsolute

/** @internal */
export const withPathTemplate = dual<
  (template: string) => (self: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest,
  (self: HttpClientRequest.HttpClientRequest, template: string) => HttpClientRequest.HttpClientRequest
>(2, (self, template) => HttpClientRequest.setHeader(self, templateHeader, kernel.encodeTemplate(template)))

/**
 * The request without the headers `names`, and at `url` when given (one
 * copy of the request, not one per header removed). The headers
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
  // (Effect 4 types a request's method as any string)
  let result = HttpClientRequest.make(self.method as Parameters<typeof HttpClientRequest.make>[0])(url ?? self.url)
  result = HttpClientRequest.setHeaders(result, headersFromRecordUnsafe(kept))
  if (self.body._tag !== "Empty") result = HttpClientRequest.setBody(result, self.body)
  if (hasUrlParams(self.urlParams)) result = HttpClientRequest.setUrlParams(result, self.urlParams)
  if (self.hash._tag === "Some") result = HttpClientRequest.setHash(result, self.hash.value)
  return result
}
