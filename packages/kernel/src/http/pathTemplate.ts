/**
 * Path templates (`users/{id}`): substitution of path parameters, each
 * percent-encoded, with every mistake (a missing, unused or malformed
 * parameter, a dot segment, a placeholder in the query) turned into a URL no
 * client can parse rather than a request sent elsewhere; the query encoding;
 * and the path a metric is labelled with.
 */

/** The values of a template's placeholders. */
export type PathParameters = Readonly<Record<string, string | number>>

/** Query values: a value, a list of values, or `undefined` (left out). */
export type Query = Readonly<
  Record<string, string | number | boolean | ReadonlyArray<string | number | boolean> | undefined>
>

const placeholder = /\{([^{}]*)\}/g

const refusedPrefix = "http://[invalid request: "

/** Whether `url` is one `substitute` made of a mistake (no client parses it). */
export const isRefused = (url: string): boolean => url.startsWith(refusedPrefix)

/**
 * What was wrong with a URL `substitute` refused, in plain words
 * (`missing path parameter "id" for users/{id} (got: idd)`); `undefined` for
 * any other URL.
 */
export const refusal = (url: string): string | undefined =>
  isRefused(url) && url.endsWith("]") ? url.slice(refusedPrefix.length, -1) : undefined

/**
 * A URL that no client can parse (an IPv6 host with spaces in it): a path
 * parameter that would escape its template (a whole `.` or `..` segment), is
 * missing, or has no placeholder in the template makes the request fail with
 * `InvalidUrl` instead of being sent elsewhere. The reason is kept readable
 * (see `refusal`).
 */
const invalidUrl = (reason: string): string => `${refusedPrefix}${reason}]`

/** The names given, for a message: `(got: a, b)`, `(got: nothing)`. */
const given = (path: PathParameters | undefined): string => {
  const names = path === undefined ? [] : Object.keys(path)
  return `(got: ${names.length === 0 ? "nothing" : names.join(", ")})`
}

/** The placeholders of a template's path, for a message: `(placeholders: id, post)`, `(placeholders: none)`. */
const placeholders = (pathPart: string): string => {
  const names = [...pathPart.matchAll(placeholder)].map((m) => m[1])
  return `(placeholders: ${names.length === 0 ? "none" : names.join(", ")})`
}

/** A value for a placeholder the template does not have (`/items/:id` with `{ id }`): refused, never dropped. */
const unusedParameter = (template: string, pathPart: string, name: string): string =>
  invalidUrl(`unused path parameter "${name}" for ${template}: no {${name}} in the path ${placeholders(pathPart)}`)

/**
 * The template with each `{name}` of its path replaced by the
 * percent-encoded parameter; the query part (after `?`) is kept as it is.
 * A mistake gives a URL no client can parse (see `isRefused`).
 */
export const substitute = (template: string, path: PathParameters | undefined): string => {
  const queryAt = template.indexOf("?")
  const pathPart = queryAt === -1 ? template : template.slice(0, queryAt)
  const rest = queryAt === -1 ? "" : template.slice(queryAt)
  // a placeholder in the query is never substituted: refuse it rather than send `{q}` as is
  const outside = rest.match(/\{([^{}]*)\}/)
  if (outside !== null) {
    return invalidUrl(`the placeholder {${outside[1]}} of ${template} is outside the path (use options.query)`)
  }
  if (!pathPart.includes("{")) {
    const unused = path === undefined ? undefined : Object.keys(path)[0]
    return unused === undefined ? template : unusedParameter(template, pathPart, unused)
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
  if (missing !== undefined) return invalidUrl(`missing path parameter "${missing}" for ${template} ${given(path)}`)
  if (malformed !== undefined) {
    return invalidUrl(`path parameter "${malformed}" for ${template} is not well-formed Unicode (a lone surrogate)`)
  }
  if (escapes) return invalidUrl(`a path parameter for ${template} is a dot segment (. or ..)`)
  if (path !== undefined) {
    for (const name of Object.keys(path)) {
      if (!pathPart.includes(`{${name}}`)) return unusedParameter(template, pathPart, name)
    }
  }
  return segments.join("/") + rest
}

const empty: ReadonlyArray<readonly [string, string]> = []

/** The query as `[key, value]` pairs, in order: a list gives one pair per item, `undefined` none. */
export const queryPairs = (query: Query | undefined): ReadonlyArray<readonly [string, string]> => {
  if (query === undefined) return empty
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

/** The template as a header value carries it (percent-encoded). */
export const encodeTemplate = (template: string): string => encodeURIComponent(template)

/** The template a header value carries; a value that does not decode is taken as it is. */
export const decodeTemplate = (carried: string): string => {
  try {
    return decodeURIComponent(carried)
  } catch {
    return carried
  }
}

const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

/** Whether `url` starts with a scheme (`http:`, `https:`, ...). */
export const isAbsolute = (url: string): boolean => absolute.test(url)

/** The path of `url` (absolute or not), without its query and fragment: the metric label of an untemplated request. */
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
