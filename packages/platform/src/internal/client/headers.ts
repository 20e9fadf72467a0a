/**
 * Header checks made before anything is sent: a value a transport would
 * refuse (undici throws, node:http throws inside the fiber) or that would
 * split the request (CR, LF) is caught here, as a typed error.
 */
import * as kernel from "@aio-request/kernel/http/headers"
import { encodeError, type HttpClientRequest, type RequestError } from "../line.js"

/** @internal */
export const invalidValue = kernel.invalidValue

/** @internal */
export const isName = kernel.isHeaderName

/**
 * The first header of `request` that cannot be sent, as the line's error of
 * a request that cannot be encoded (see `line.encodeError`) naming it, or
 * `undefined`.
 *
 * @internal
 */
export const check = (request: HttpClientRequest.HttpClientRequest): RequestError | undefined => {
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
