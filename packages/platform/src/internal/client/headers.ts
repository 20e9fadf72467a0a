/**
 * Header checks made before anything is sent: a value a transport would
 * refuse (undici throws, node:http throws inside the fiber) or that would
 * split the request (CR, LF) is caught here, as a typed error.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"

// RFC 9110 field-value: HTAB, SP, visible ASCII and obs-text (0x80-0xFF); what node:http and undici accept.
const badValue = /[^\t\x20-\x7e\x80-\xff]/
// RFC 9110 token
const goodName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Why `value` cannot be sent as a header value, or `undefined` when it can.
 *
 * @internal
 */
export const invalidValue = (value: string): string | undefined => {
  const at = value.search(badValue)
  if (at === -1) return undefined
  const code = value.charCodeAt(at)
  return code === 13 || code === 10
    ? "contains CR or LF"
    : code > 0xff
    ? `contains ${JSON.stringify(value[at])} (U+${code.toString(16).toUpperCase().padStart(4, "0")}), outside Latin-1`
    : `contains the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`
}

/**
 * The first header of `request` that cannot be sent, as a `RequestError`
 * (reason `Encode`) naming it, or `undefined`.
 *
 * @internal
 */
export const check = (request: HttpClientRequest.HttpClientRequest): HttpClientError.RequestError | undefined => {
  const headers = request.headers
  for (const name in headers) {
    if (!goodName.test(name)) {
      return new HttpClientError.RequestError({
        request,
        reason: "Encode",
        description: `header name ${JSON.stringify(name)} is not a valid token`
      })
    }
    const value = headers[name]!
    if (badValue.test(value)) {
      return new HttpClientError.RequestError({
        request,
        reason: "Encode",
        description: `header ${JSON.stringify(name)} ${invalidValue(value)}`
      })
    }
  }
  return undefined
}
