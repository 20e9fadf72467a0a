/**
 * Stage 5, after the run: the winning response, its body covered by the
 * request's deadline (deadlineBody.ts, written once for both lines). This is
 * the Effect 3 line's shell: the type ids of `@effect/platform`'s response.
 * `json` of another content type fails with `ResponseError` (reason "Decode").
 */
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import { DeadlineBody } from "./deadlineBody.js"

export type { JsonContentTypes } from "./deadlineBody.js"

class DeadlineResponse extends DeadlineBody implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
}

/** `response` with its body cut at `deadline`; `subject` names the request in the error. @internal */
export const make = (...args: ConstructorParameters<typeof DeadlineResponse>): HttpClientResponse.HttpClientResponse =>
  new DeadlineResponse(...args)
