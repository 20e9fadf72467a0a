/**
 * Stage 5, after the run: the winning response, its body covered by the
 * request's deadline. A body still streaming at the deadline fails with
 * `DeadlineExceededError` (phase "body"); the read is interrupted, which
 * aborts the connection. Everything but the body is the response's own.
 */
import { Deadline } from "@aio-request/core"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Stream from "effect/Stream"

// The body effects of `HttpClientResponse` are typed `ResponseError`; a body
// cut at the deadline fails with `DeadlineExceededError`, which the request's
// own error type (`ResilientHttpClient.Error`) carries: see docs/client.md.
type Body<A> = Effect.Effect<A, any>

class DeadlineResponse implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  constructor(
    readonly original: HttpClientResponse.HttpClientResponse,
    readonly deadline: Deadline.Deadline,
    readonly subject: string
  ) {}
  private cut<A, E>(effect: Effect.Effect<A, E>): Body<A> {
    return Deadline.cut(effect, this.deadline, { phase: "body", subject: this.subject })
  }
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
    return this.cut(this.original.formData) as Body<FormData>
  }
  get text() {
    return this.cut(this.original.text) as Body<string>
  }
  get json() {
    return this.cut(this.original.json) as Body<unknown>
  }
  get urlParamsBody() {
    return this.cut(this.original.urlParamsBody) as Body<
      HttpClientResponse.HttpClientResponse["urlParamsBody"] extends Effect.Effect<infer A, any> ? A : never
    >
  }
  get arrayBuffer() {
    return this.cut(this.original.arrayBuffer) as Body<ArrayBuffer>
  }
  get stream() {
    const { deadline, subject } = this
    const expired = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const error = Effect.fail(
        new Deadline.DeadlineExceededError({
          reason: "expired",
          budget: Duration.millis(Math.max(0, deadline.epochMillis - now)),
          phase: "body",
          subject
        })
      )
      return deadline.epochMillis <= now
        ? error
        : Effect.zipRight(Effect.sleep(Duration.millis(deadline.epochMillis - now)), error)
    })
    return Stream.interruptWhen(this.original.stream, expired) as Stream.Stream<Uint8Array, any>
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

/** `response` with its body cut at `deadline`; `subject` names the request in the error. @internal */
export const make = (
  response: HttpClientResponse.HttpClientResponse,
  deadline: Deadline.Deadline,
  subject: string
): HttpClientResponse.HttpClientResponse => new DeadlineResponse(response, deadline, subject)
