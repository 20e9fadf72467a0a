/**
 * Builds the requests a `ResilientHttpClient` sends: a path template relative
 * to the client's endpoint, path parameters substituted with percent-encoding,
 * query parameters (arrays become repeated keys, `undefined` is dropped), and
 * JSON bodies. The template, not the substituted path, labels the metrics and
 * keys the `Delays` of the request.
 *
 * @example
 * import { HttpRequest, ResilientHttpClient } from "@aio-request/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* ResilientHttpClient.make({ endpoint: "http://users.internal" })
 *   const response = yield* client.execute(
 *     HttpRequest.get("users/{id}", { path: { id: 42 }, query: { fields: ["name", "email"] } })
 *   )
 *   return yield* response.json
 * })
 * @since 0.1.0
 */
import * as internal from "./internal/httpRequest.js"
import type { HttpClientRequest } from "./internal/line.js"

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
   * The names of the `{name}` placeholders in the path of `Template` (the
   * part before `?`): `Placeholders<"users/{id}/posts/{post}">` is
   * `"id" | "post"`.
   *
   * @since 0.2.0
   */
  export type Placeholders<Template extends string> = Template extends `${infer Path}?${string}` ? Names<Path>
    : Names<Template>

  /**
   * @since 0.2.0
   */
  export type Names<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | Names<Rest>
    : never

  /**
   * The `path` a template takes: for a literal template, exactly its
   * placeholders (`{id}` requires `id`, an unknown name is a type error; no
   * placeholder, no value); for a template typed `string`, any record, checked
   * when the request is built.
   *
   * @since 0.2.0
   */
  export type PathParameters<Template extends string> = string extends Template
    ? Readonly<Record<string, string | number>>
    : [Placeholders<Template>] extends [never] ? { readonly [name: string]: never }
    : { readonly [Name in Placeholders<Template>]: string | number }

  /**
   * The options of a request to `Template`; `HttpRequest.Options` alone (a
   * template typed `string`) takes any `path`.
   *
   * @since 0.1.0
   */
  export interface Options<Template extends string = string> {
    /** Values for the `{name}` placeholders of the template, percent-encoded. */
    readonly path?: PathParameters<Template> | undefined
    readonly query?: Query | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
  }

  /**
   * The options argument of a request to `Template`: required, with `path`,
   * when the template has a placeholder, optional otherwise.
   *
   * @since 0.2.0
   */
  export type OptionsArgument<Template extends string> = string extends Template ? [options?: Options | undefined]
    : [Placeholders<Template>] extends [never] ? [options?: Options<Template> | undefined]
    : [options: Options<Template> & { readonly path: PathParameters<Template> }]
}

/**
 * A constructor of requests: a path template, then the options, typed from the
 * template (see `HttpRequest.OptionsArgument`).
 *
 * @since 0.2.0
 * @category models
 */
export type Constructor = <const Template extends string>(
  template: Template,
  ...options: HttpRequest.OptionsArgument<Template>
) => HttpClientRequest.HttpClientRequest

/**
 * A constructor of requests with a JSON body.
 *
 * @since 0.2.0
 * @category models
 */
export type JsonConstructor = <const Template extends string>(
  template: Template,
  body: unknown,
  ...options: HttpRequest.OptionsArgument<Template>
) => HttpClientRequest.HttpClientRequest

/**
 * A GET of `template` (relative to the client's endpoint), `{name}`
 * placeholders replaced by the percent-encoded `path` values. For a literal
 * template the `path` is typed from it: `{id}` requires `path.id`, an unknown
 * name is a type error, a template without placeholders takes no `path`; a
 * template typed `string` takes any record. At run time, a parameter that is
 * missing, that would be a whole `.` or `..` segment, or that has no
 * placeholder in the template (`"users/:id"` with `{ id }`), makes the request
 * fail with `RequestError` (`InvalidUrl`) rather than reach another path, its
 * description in plain words (`missing path parameter "id" for users/{id}
 * (got: idd)`).
 *
 * @example
 * HttpRequest.get("users/{id}/posts", { path: { id: "a/b" }, query: { tag: ["x", "y"], page: 2 } })
 * // GET <endpoint>/users/a%2Fb/posts?tag=x&tag=y&page=2, labelled "users/{id}/posts"
 * @since 0.1.0
 * @category constructors
 */
export const get: Constructor = internal.get

/**
 * A POST without a body (set one with `HttpClientRequest.bodyText` and the
 * like), or see `postJson`.
 *
 * @example
 * HttpRequest.post("orders", { headers: { "idempotency-key": "order-7f3a" } })
 * @since 0.1.0
 * @category constructors
 */
export const post: Constructor = internal.post

/**
 * @example
 * HttpRequest.put("users/{id}/avatar", { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const put: Constructor = internal.put

/**
 * @example
 * HttpRequest.patch("users/{id}", { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const patch: Constructor = internal.patch

/**
 * A DELETE (`delete` is a reserved word: import the module as a namespace and
 * call `HttpRequest.delete`).
 *
 * @example
 * HttpRequest.delete("users/{id}", { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const del: Constructor = internal.del

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
export const head: Constructor = internal.head

/**
 * @example
 * HttpRequest.options("users")
 * @since 0.1.0
 * @category constructors
 */
export const options: Constructor = internal.options

/**
 * A POST with `body` as JSON (`content-type: application/json`). `body` must
 * be serialisable by `JSON.stringify` (no `bigint`, no cycles).
 *
 * @example
 * HttpRequest.postJson("users", { name: "Ada" })
 * @since 0.1.0
 * @category constructors
 */
export const postJson: JsonConstructor = internal.postJson

/**
 * @example
 * HttpRequest.putJson("users/{id}", { name: "Ada" }, { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const putJson: JsonConstructor = internal.putJson

/**
 * @example
 * HttpRequest.patchJson("users/{id}", { name: "Ada" }, { path: { id: "42" } })
 * @since 0.1.0
 * @category constructors
 */
export const patchJson: JsonConstructor = internal.patchJson

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

/**
 * `HttpRequest.Options`, also reachable as `HttpRequest.HttpRequest.Options`: the options of a
 * request built from `Template`, its path parameters typed from the template's `{name}`s.
 *
 * @since 0.3.0
 * @category models
 */
export type Options<Template extends string = string> = HttpRequest.Options<Template>

/**
 * @since 0.3.0
 * @category models
 */
export type Query = HttpRequest.Query

/**
 * @since 0.3.0
 * @category models
 */
export type QueryValue = HttpRequest.QueryValue
