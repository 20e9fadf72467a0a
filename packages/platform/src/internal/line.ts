/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 3 line's (`@effect/platform`);
 * effect4/platform/src/internal/line.ts is its Effect 4 twin (`effect/http`),
 * with the same exports.
 *
 * @internal
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest_ from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as Option from "effect/Option"

export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
export type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
export * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** The first typed failure of `cause`, if any (Effect 3's `Cause.failureOption`). */
export const failureOption: <E>(cause: Cause.Cause<E>) => Option.Option<E> = Cause.failureOption

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

/** Whether `cause` holds interruptions and nothing else (Effect 3's `Cause.isInterruptedOnly`). */
export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.isInterruptedOnly

/** A counter of numbers (Effect 3's `Metric.Metric.Counter<number>`). */
export type Counter = Metric.Metric.Counter<number>

/** `metric` with the labels `labels` (Effect 3's tags). */
export const withLabels = <M extends Counter>(metric: M, labels: Readonly<Record<string, string>>): M => {
  const tags: Array<MetricLabel.MetricLabel> = []
  for (const key in labels) tags.push(MetricLabel.make(key, labels[key]!))
  return Metric.taggedWithLabels(metric, tags) as M
}

/** The error of a request that could not be sent (Effect 3's `RequestError`). */
export type RequestError = HttpClientError.RequestError

/** A request that cannot be encoded, saying why (`RequestError`, reason `Encode`). */
export const encodeError = (request: HttpClientRequest_.HttpClientRequest, description: string): RequestError =>
  new HttpClientError.RequestError({ request, reason: "Encode", description })

/** A server's app: an effect answering the request in context (Effect 3's `HttpApp.Default`). */
export type App<E, R> = HttpApp.Default<E, R>

/** A running fiber (Effect 3's `Fiber.RuntimeFiber`). */
export type RuntimeFiber<A, E> = Fiber.RuntimeFiber<A, E>

/** Interrupts `fiber` without waiting for it. */
export const interruptUnsafe = (fiber: RuntimeFiber<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId.none)
