/**
 * What the response of stage 5 does on both lines (body.ts is each line's
 * thin shell, with the line's own type ids): the winning response, its body
 * covered by the request's deadline. A body still streaming at the deadline
 * fails with `DeadlineExceededError` (phase "body"); the read is interrupted,
 * which aborts the connection. `json` first checks the content type (Python
 * aio-request's `UnexpectedContentTypeError`): anything but JSON fails with the
 * line's decode error (`line.decodeError`), the body unread. Everything but the
 * body is the response's own.
 */
import { Deadline } from "@aio-request/core"
import * as ContentType from "@aio-request/kernel/http/contentType"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Stream from "effect/Stream"
import * as line from "../line.js"

// The body effects of `HttpClientResponse` are typed with the client's error;
// a body cut at the deadline fails with `DeadlineExceededError`, which the
// request's own error type (`ResilientHttpClient.Error`) carries: see docs/client.md.
type Body<A> = Effect.Effect<A, any>

/**
 * The content types `json` reads: `"any"` (no check), or the media types
 * accepted besides `application/json` and `application/*+json`.
 *
 * @internal
 */
export type JsonContentTypes = "any" | ReadonlyArray<string>

/** The response `original` with its body cut at `deadline`, but for the line's type ids. @internal */
export abstract class DeadlineBody extends Inspectable.Class {
  readonly original: line.HttpClientResponse.HttpClientResponse
  readonly deadline: Deadline.Deadline
  readonly subject: string
  readonly jsonContentTypes: JsonContentTypes

  constructor(
    original: line.HttpClientResponse.HttpClientResponse,
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
  get json(): line.HttpClientResponse.HttpClientResponse["json"] {
    const accepted = this.jsonContentTypes
    const contentType = this.original.headers["content-type"]
    if (accepted === "any" || ContentType.isJson(contentType, accepted)) {
      return this.cut(this.original.json) as Body<any>
    }
    // as `filterStatusOk` does, the body is left unread: the error's response still reads it
    return Effect.fail(
      line.decodeError(
        this.original.request,
        this as unknown as line.HttpClientResponse.HttpClientResponse,
        `${ContentType.unexpected(contentType)}; the client's option jsonContentTypes accepts others`
      )
    ) as Body<never>
  }
  get urlParamsBody() {
    return this.cut(this.original.urlParamsBody) as Body<line.UrlParams>
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
}
