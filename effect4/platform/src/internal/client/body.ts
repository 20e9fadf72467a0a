/**
 * Stage 5, after the run: the winning response, its body covered by the
 * request's deadline. A body still streaming at the deadline fails with
 * `DeadlineExceededError` (phase "body"); the read is interrupted, which
 * aborts the connection. `json` first checks the content type (Python
 * aio-request's `UnexpectedContentTypeError`): anything but JSON fails with
 * `HttpClientError` (reason `DecodeError`), the body unread. Everything but
 * the body is the response's own.
 */
import { Deadline } from "@aio-request/core"
import * as ContentType from "@aio-request/kernel/http/contentType"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import * as Stream from "effect/Stream"

// The body effects of `HttpClientResponse` are typed `HttpClientError`; a body
// cut at the deadline fails with `DeadlineExceededError`, which the request's
// own error type (`ResilientHttpClient.Error`) carries: see docs/client.md.
type Body<A> = Effect.Effect<A, any>

/**
 * The content types `json` reads: `"any"` (no check), or the media types
 * accepted besides `application/json` and `application/*+json`.
 *
 * @internal
 */
export type JsonContentTypes = "any" | ReadonlyArray<string>

class DeadlineResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly original: HttpClientResponse.HttpClientResponse
  readonly deadline: Deadline.Deadline
  readonly subject: string
  readonly jsonContentTypes: JsonContentTypes

  constructor(
    original: HttpClientResponse.HttpClientResponse,
    deadline: Deadline.Deadline,
    subject: string,
    jsonContentTypes: JsonContentTypes
  ) {
    super()
    this.original = original
    this.deadline = deadline
    this.subject = subject
    this.jsonContentTypes = jsonContentTypes
  }
  private cut<A, E>(effect: Effect.Effect<A, E>): Body<A> {
    return Deadline.cut(effect, this.deadline, { phase: "body", subject: this.subject })
  }
  get request() {
    return this.original.request
  }
  get url() {
    return this.original.url
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
  get upgrade() {
    return this.original.upgrade
  }
  get formData() {
    return this.cut(this.original.formData) as Body<FormData>
  }
  get text() {
    return this.cut(this.original.text) as Body<string>
  }
  get json(): HttpClientResponse.HttpClientResponse["json"] {
    const accepted = this.jsonContentTypes
    const contentType = this.original.headers["content-type"]
    if (accepted === "any" || ContentType.isJson(contentType, accepted)) {
      return this.cut(this.original.json)
    }
    // as `filterStatusOk` does, the body is left unread: `error.reason.response.text` still reads it
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.DecodeError({
          request: this.original.request,
          response: this,
          description: `${ContentType.unexpected(contentType)}; the client's option jsonContentTypes accepts others`
        })
      })
    )
  }
  get urlParamsBody() {
    return this.cut(this.original.urlParamsBody) as HttpClientResponse.HttpClientResponse["urlParamsBody"]
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
        : Effect.andThen(Effect.sleep(Duration.millis(deadline.epochMillis - now)), error)
    })
    return Stream.interruptWhen(this.original.stream, expired) as Stream.Stream<Uint8Array, any>
  }
  toJSON(): unknown {
    return this.original.toJSON()
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/** `response` with its body cut at `deadline`; `subject` names the request in the error. @internal */
export const make = (
  response: HttpClientResponse.HttpClientResponse,
  deadline: Deadline.Deadline,
  subject: string,
  jsonContentTypes: JsonContentTypes
): HttpClientResponse.HttpClientResponse => new DeadlineResponse(response, deadline, subject, jsonContentTypes)
