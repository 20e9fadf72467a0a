/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 4 line's (`effect/http`);
 * packages/platform/src/internal/line.ts is its Effect 3 twin
 * (`@effect/platform`), with the same exports.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest_ from "effect/http/HttpClientRequest"
import type * as HttpServerResponse_ from "effect/http/HttpServerResponse"
import * as Metric from "effect/Metric"
import type * as Option from "effect/Option"

export * as HttpClientRequest from "effect/http/HttpClientRequest"
export type * as HttpClientResponse from "effect/http/HttpClientResponse"
export type * as HttpServerRequest from "effect/http/HttpServerRequest"
export * as HttpServerResponse from "effect/http/HttpServerResponse"

/** The first typed failure of `cause`, if any (Effect 4's `Cause.findErrorOption`). */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.findErrorOption

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

/** Whether `cause` holds interruptions and nothing else (Effect 4's `Cause.hasInterruptsOnly`). */
export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

/** A counter of numbers (Effect 4's `Metric.Counter<number>`). */
export type Counter = Metric.Counter<number>

/** `metric` with the labels `labels` (Effect 4's attributes). */
export const withLabels = <M extends Counter>(metric: M, labels: Readonly<Record<string, string>>): M =>
  Metric.withAttributes(metric, labels) as M

/** The error of a request that could not be sent (Effect 4's one `HttpClientError`). */
export type RequestError = HttpClientError.HttpClientError

/** A request that cannot be encoded, saying why (`HttpClientError`, reason `EncodeError`). */
export const encodeError = (request: HttpClientRequest_.HttpClientRequest, description: string): RequestError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, description }) })

/** A server's app: an effect answering the request in context (Effect 4 has no `HttpApp` module). */
export type App<E, R> = Effect.Effect<HttpServerResponse_.HttpServerResponse, E, R>

/** A running fiber (Effect 4's `Fiber.Fiber`). */
export type RuntimeFiber<A, E> = Fiber.Fiber<A, E>

/** Interrupts `fiber` without waiting for it. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void => fiber.interruptUnsafe()
