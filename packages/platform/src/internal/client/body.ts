/**
 * Stage 5, after the run: the winning response, its body covered by the
 * request's deadline. A body still streaming at the deadline fails with
 * `DeadlineExceededError` (phase "body"); the read is interrupted, which
 * aborts the connection. Everything but the body is the response's own.
 */
import type { Deadline } from "@aio-request/core"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Stream from "effect/Stream"

/** Cuts an effect, or a stream, at the request's deadline. @internal */
export interface Cut {
  readonly effect: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | Deadline.DeadlineExceededError>
  readonly stream: <A, E>(stream: Stream.Stream<A, E>) => Stream.Stream<A, E | Deadline.DeadlineExceededError>
}

// The body effects of `HttpClientResponse` are typed `ResponseError`; a body
// cut at the deadline fails with `DeadlineExceededError`, which the request's
// own error type (`ResilientHttpClient.Error`) carries: see docs/client.md.
type Body<A> = Effect.Effect<A, any>

class DeadlineResponse implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  constructor(readonly original: HttpClientResponse.HttpClientResponse, readonly cut: Cut) {}
  get request() {
    return this.original.request
  }
  get status() {
    return this.original.status
  }
  get headers() {
    return this.original.headers
  }
  get cookies() {
    return this.original.cookies
  }
  get remoteAddress() {
    return this.original.remoteAddress
  }
  get formData() {
    return this.cut.effect(this.original.formData) as Body<FormData>
  }
  get text() {
    return this.cut.effect(this.original.text) as Body<string>
  }
  get json() {
    return this.cut.effect(this.original.json) as Body<unknown>
  }
  get urlParamsBody() {
    return this.cut.effect(this.original.urlParamsBody) as Body<
      HttpClientResponse.HttpClientResponse["urlParamsBody"] extends Effect.Effect<infer A, any> ? A : never
    >
  }
  get arrayBuffer() {
    return this.cut.effect(this.original.arrayBuffer) as Body<ArrayBuffer>
  }
  get stream() {
    return this.cut.stream(this.original.stream) as Stream.Stream<Uint8Array, any>
  }
  toJSON() {
    return this.original.toJSON()
  }
  toString() {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol]() {
    return this.toJSON()
  }
}

/** `response` with its body cut by `cut`. @internal */
export const make = (
  response: HttpClientResponse.HttpClientResponse,
  cut: Cut
): HttpClientResponse.HttpClientResponse => new DeadlineResponse(response, cut)
