/**
 * The pure rules of following a redirect, as browsers and aiohttp do: which
 * statuses redirect, when the method becomes GET without a body, and which
 * headers do not cross to another origin (the credentials, and whatever the
 * user names: a lower-case name or a pattern).
 */

/** Whether `status` is a redirect the client follows (301, 302, 303, 307, 308). */
export const isRedirect = (status: number): boolean =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308

/** Whether the redirected request is a GET without a body: 303 for anything but GET/HEAD, 301/302 for POST. */
export const becomesGet = (status: number, method: string): boolean =>
  (status === 303 && method !== "GET" && method !== "HEAD") ||
  ((status === 301 || status === 302) && method === "POST")

/** The headers (lower-case) dropped when a redirect leads to another origin. */
export const credentialHeaders: ReadonlyArray<string> = ["authorization", "proxy-authorization", "cookie"]

/**
 * The names among `names` (lower-case, as a request holds them) that one of
 * `bound` matches: a string by its lower-case name, a RegExp by a search of
 * the name (its `lastIndex` is neither read nor changed).
 */
export const boundNames = (
  names: ReadonlyArray<string>,
  bound: ReadonlyArray<string | RegExp>
): Array<string> =>
  names.filter((name) =>
    bound.some((rule) => typeof rule === "string" ? rule.toLowerCase() === name : name.search(rule) !== -1)
  )

/** Whether a redirect from `current` to `next` changes origin (scheme, host or port). */
export const crossesOrigin = (current: URL, next: URL): boolean => next.origin !== current.origin

/** `location` resolved against `base` (when there is one), or `undefined` when it is not a URL. */
export const resolve = (location: string, base: URL | undefined): URL | undefined => {
  try {
    return new URL(location, base)
  } catch {
    return undefined
  }
}

/** Whether the client may follow a redirect to `url`: only `http:` and `https:`. */
export const isFollowable = (url: URL): boolean => url.protocol === "http:" || url.protocol === "https:"
