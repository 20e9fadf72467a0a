/**
 * When a request arrived: on Node, stamped by a listener put in front of the
 * server's own, so that the time a request waits for its handler's fiber
 * counts against its deadline and in its latency. The clock is the glue's,
 * passed in as a function of no arguments.
 */

const arrivalKey = Symbol.for("@aio-request/platform/ServerMiddleware/arrivalNanos")

interface Stampable {
  [arrivalKey]?: bigint | undefined
}

interface NodeServerLike {
  [arrivalKey]?: true | undefined
  readonly prependListener: (event: "request", listener: (request: Stampable) => void) => unknown
}

/**
 * When the request whose platform object is `source` arrived, in the clock's
 * nanoseconds, if the platform tells: on Node, `source` is the
 * `IncomingMessage`, whose socket knows its `http.Server`. The first request
 * seen on a server installs a `request` listener in front of the server's
 * others that stamps each later request with `clockNanos()` as Node emits it,
 * before the request waits for the handler's fiber to run. The first request
 * of each server, and requests on other platforms, fall back to `now`.
 */
export const arrivalNanos = (source: unknown, now: bigint, clockNanos: () => bigint): bigint => {
  const stampable = source as Stampable & { readonly socket?: { readonly server?: unknown } } | undefined
  if (typeof stampable !== "object" || stampable === null) return now
  const stamp = stampable[arrivalKey]
  if (stamp !== undefined) return stamp < now ? stamp : now
  const server = stampable.socket?.server as NodeServerLike | undefined
  if (
    typeof server === "object" && server !== null && server[arrivalKey] === undefined &&
    typeof server.prependListener === "function"
  ) {
    server[arrivalKey] = true
    server.prependListener("request", (incoming) => {
      incoming[arrivalKey] = clockNanos()
    })
  }
  return now
}

/**
 * Whether the request's body is still arriving: on Node, `source` is the
 * `IncomingMessage`, `complete` until its whole message has been received
 * (at once for a request without a body). On other platforms nobody tells:
 * `false`.
 */
export const bodyStillArriving = (source: unknown): boolean =>
  typeof source === "object" && source !== null && "complete" in source && source.complete === false
