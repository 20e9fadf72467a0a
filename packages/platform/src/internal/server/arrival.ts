/**
 * When a request arrived: the kernel's stamp (on Node, taken as the server
 * emits the request), on the fiber's clock.
 */
import * as kernel from "@aio-request/kernel/http/arrival"
import type * as Clock from "effect/Clock"
import { currentTimeNanos, type HttpServerRequest } from "../line.js"

/**
 * When the request arrived, in the clock's nanoseconds, if the platform tells
 * (see the kernel's `arrivalNanos`); else `now`.
 *
 * @internal
 */
export const arrivalNanos = (
  request: HttpServerRequest.HttpServerRequest,
  clock: Clock.Clock,
  now: bigint
): bigint => kernel.arrivalNanos(request.source, now, () => currentTimeNanos(clock))
