/**
 * Header checks made before anything is sent: a value a transport would
 * refuse (undici throws, node:http throws inside the fiber) or that would
 * split the request (CR, LF) is caught here, as a typed error.
 */
import * as kernel from "@aio-request/kernel/http/headers"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"

/** @internal */
export const invalidValue = kernel.invalidValue

/** @internal */
export const isName = kernel.isHeaderName

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, description }) })

/**
 * The first header of `request` that cannot be sent, as an `HttpClientError`
 * (reason `EncodeError`) naming it, or `undefined`.
 *
 * @internal
 */
export const check = (request: HttpClientRequest.HttpClientRequest): HttpClientError.HttpClientError | undefined => {
  const headers = request.headers
  for (const name in headers) {
    if (!kernel.isHeaderName(name)) {
      return encodeError(request, `header name ${JSON.stringify(name)} is not a valid token`)
    }
    const value = headers[name]!
    if (!kernel.isHeaderValue(value)) {
      return encodeError(request, `header ${JSON.stringify(name)} ${kernel.invalidValue(value)}`)
    }
  }
  return undefined
}
