/**
 * Header checks made before anything is sent: a value a transport would
 * refuse (undici throws, node:http throws inside the fiber) or that would
 * split the request (CR, LF) is caught here, as a typed error.
 */
import * as kernel from "@aio-request/kernel/http/headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"

/** @internal */
export const invalidValue = kernel.invalidValue

/** @internal */
export const isName = kernel.isHeaderName

/**
 * The first header of `request` that cannot be sent, as a `RequestError`
 * (reason `Encode`) naming it, or `undefined`.
 *
 * @internal
 */
export const check = (request: HttpClientRequest.HttpClientRequest): HttpClientError.RequestError | undefined => {
  const headers = request.headers
  for (const name in headers) {
    if (!kernel.isHeaderName(name)) {
      return new HttpClientError.RequestError({
        request,
        reason: "Encode",
        description: `header name ${JSON.stringify(name)} is not a valid token`
      })
    }
    const value = headers[name]!
    if (!kernel.isHeaderValue(value)) {
      return new HttpClientError.RequestError({
        request,
        reason: "Encode",
        description: `header ${JSON.stringify(name)} ${kernel.invalidValue(value)}`
      })
    }
  }
  return undefined
}
