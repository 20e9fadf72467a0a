/**
 * Stage 5, after the run: the winning response, its body covered by the
 * request's deadline (deadlineBody.ts, written once for both lines). This is
 * the Effect 4 line's shell: the type ids of `effect/http`'s response, its
 * `url`, `upgrade` and `pipe`. `json` of another content type fails with
 * `HttpClientError` (reason `DecodeError`).
 */
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import { pipeArguments } from "effect/Pipeable"
import { DeadlineBody } from "./deadlineBody.js"

export type { JsonContentTypes } from "./deadlineBody.js"

class DeadlineResponse extends DeadlineBody implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  get url() {
    return this.original.url
  }
  get upgrade() {
    return this.original.upgrade
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/** `response` with its body cut at `deadline`; `subject` names the request in the error. @internal */
export const make = (...args: ConstructorParameters<typeof DeadlineResponse>): HttpClientResponse.HttpClientResponse =>
  new DeadlineResponse(...args)
