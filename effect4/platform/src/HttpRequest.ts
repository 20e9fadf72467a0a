/**
 * Builds the requests a `ResilientHttpClient` sends: a path template relative
 * to the client's endpoint, path parameters substituted with percent-encoding,
 * query parameters (arrays become repeated keys, `undefined` is dropped), and
 * JSON bodies. The template, not the substituted path, labels the metrics and
 * keys the `Delays` of the request.
 *
 * @example
 * import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
 * import { HttpClient } from "effect/http"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* HttpClient.HttpClient
 *   const response = yield* client.execute(
 *     HttpRequest.get("users/{id}", { path: { id: 42 }, query: { fields: ["name", "email"] } })
 *   )
 *   return yield* response.json
 * })
 * @since 0.1.0
 */
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as internal from "./internal/httpRequest.js"

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace HttpRequest {
  /**
   * @since 0.1.0
   */
  export type QueryValue = string | number | boolean

  /**
   * Query parameters: an array is sent as the same key repeated, `undefined`
   * is left out.
   *
   * @since 0.1.0
   */
  export type Query = Readonly<Record<string, QueryValue | ReadonlyArray<QueryValue> | undefined>>

  /**
   * @since 0.1.0
   */
  export interface Options {
    /** Values for the `{name}` placeholders of the template, percent-encoded. */
    readonly path?: Readonly<Record<string, string | number>> | undefined
    readonly query?: Query | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
}

/**
 * A GET of `template` (relative to the client's endpoint), `{name}`
 * placeholders replaced by the percent-encoded `path` values. A parameter that
 * is missing, that would be a whole `.` or `..` segment, or that has no
 * placeholder in the template (`"users/:id"` with `{ id }`), makes the request
 * fail with `RequestError` (`InvalidUrl`) rather than reach another path.
 *
 * @example
 * HttpRequest.get("users/{id}/posts", { path: { id: "a/b" }, query: { tag: ["x", "y"], page: 2 } })
 * // GET <endpoint>/users/a%2Fb/posts?tag=x&tag=y&page=2, labelled "users/{id}/posts"
 * @since 0.1.0
 * @category constructors
 */
export const get: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.get

/**
 * A POST without a body (set one with `HttpClientRequest.bodyText` and the
 * like), or see `postJson`.
 *
 * @example
 * HttpRequest.post("orders", { headers: { "idempotency-key": "order-7f3a" } })
 * @since 0.1.0
 * @category constructors
 */
export const post: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.post

/**
 * @example
 * HttpRequest.put("users/{id}/avatar", { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const put: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.put

/**
 * @example
 * HttpRequest.patch("users/{id}", { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const patch: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.patch

/**
 * A DELETE (`delete` is a reserved word: import the module as a namespace and
 * call `HttpRequest.delete`).
 *
 * @example
 * HttpRequest.delete("users/{id}", { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const del: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.del

export {
  /**
   * @since 0.1.0
   * @category constructors
   */
  del as delete
}

/**
 * @example
 * HttpRequest.head("files/{name}", { path: { name: "report.pdf" } })
 * @since 0.1.0
 * @category constructors
 */
export const head: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.head

/**
 * @example
 * HttpRequest.options("users")
 * @since 0.1.0
 * @category constructors
 */
export const options: (template: string, options?: HttpRequest.Options) => HttpClientRequest.HttpClientRequest =
  internal.options

/**
 * A POST with `body` as JSON (`content-type: application/json`). `body` must
 * be serialisable by `JSON.stringify` (no `bigint`, no cycles).
 *
 * @example
 * HttpRequest.postJson("users", { name: "Ada" })
 * @since 0.1.0
 * @category constructors
 */
export const postJson: (
  template: string,
  body: unknown,
  options?: HttpRequest.Options
) => HttpClientRequest.HttpClientRequest = internal.postJson

/**
 * @example
 * HttpRequest.putJson("users/{id}", { name: "Ada" }, { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const putJson: (
  template: string,
  body: unknown,
  options?: HttpRequest.Options
) => HttpClientRequest.HttpClientRequest = internal.putJson

/**
 * @example
 * HttpRequest.patchJson("users/{id}", { name: "Ada" }, { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const patchJson: (
  template: string,
  body: unknown,
  options?: HttpRequest.Options
) => HttpClientRequest.HttpClientRequest = internal.patchJson

/**
 * The path template of a request: the one it was built with, else the path
 * of its URL without the query string (so `client.get("thing")` is labelled
 * `"thing"`).
 *
 * @example
 * HttpRequest.pathTemplate(HttpRequest.get("users/{id}", { path: { id: 1 } })) // "users/{id}"
 * @since 0.1.0
 * @category getters
 */
export const pathTemplate: (request: HttpClientRequest.HttpClientRequest) => string = internal.pathTemplate

/**
 * Gives any request a path template (for requests built with
 * `HttpClientRequest` directly).
 *
 * @example
 * HttpClientRequest.get("users/42").pipe(HttpRequest.withPathTemplate("users/{id}"))
 * @since 0.1.0
 * @category combinators
 */
export const withPathTemplate: {
  (template: string): (self: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
  (self: HttpClientRequest.HttpClientRequest, template: string): HttpClientRequest.HttpClientRequest
} = internal.withPathTemplate

/**
 * The header that carries the path template inside the program (percent-
 * encoded). `ResilientHttpClient` removes it before sending.
 *
 * @since 0.1.0
 * @category headers
 */
export const TemplateHeader: string = internal.templateHeader
