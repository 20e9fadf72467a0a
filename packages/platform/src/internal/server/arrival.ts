/**
 * When a request arrived: on Node, stamped by a listener the middleware puts
 * in front of the server's own, so that the time a request waits for its
 * handler's fiber counts against its deadline and in its latency.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Clock from "effect/Clock"

const arrivalKey = Symbol.for("@aio-request/platform/ServerMiddleware/arrivalNanos")

interface Stampable {
  [arrivalKey]?: bigint | undefined
}

interface NodeServerLike {
  [arrivalKey]?: true | undefined
  readonly prependListener: (event: "request", listener: (request: Stampable) => void) => unknown
}

/**
 * When the request arrived, in the clock's nanoseconds, if the platform tells:
 * on Node (`@effect/platform-node`), the request's `source` is the
 * `IncomingMessage`, whose socket knows its `http.Server`. The first request
 * seen on a server installs a `request` listener in front of the server's
 * others that stamps each later request with the clock's time as Node emits
 * it, before the request waits for the handler's fiber to run. The first
 * request of each server, and requests on other platforms, fall back to the
 * time the middleware runs (`now`).
 *
 * @internal
 */
export const arrivalNanos = (
  request: HttpServerRequest.HttpServerRequest,
  clock: Clock.Clock,
  now: bigint
): bigint => {
  const source = request.source as Stampable & { readonly socket?: { readonly server?: unknown } } | undefined
  if (typeof source !== "object" || source === null) return now
  const stamp = source[arrivalKey]
  if (stamp !== undefined) return stamp < now ? stamp : now
  const server = source.socket?.server as NodeServerLike | undefined
  if (
    typeof server === "object" && server !== null && server[arrivalKey] === undefined &&
    typeof server.prependListener === "function"
  ) {
    server[arrivalKey] = true
    server.prependListener("request", (incoming) => {
      incoming[arrivalKey] = clock.unsafeCurrentTimeNanos()
    })
  }
  return now
}
