/**
 * A chaos server for the reliability tests: raw `node:net` on 127.0.0.1,
 * ephemeral port, each fault on its own route. It writes its answers byte by
 * byte as each fault needs (no HTTP library in the way, so it can send what no
 * server library would), counts the requests each route saw and the
 * connections open, and closes everything with its scope.
 *
 * Every answer that completes carries `Connection: close` and the server closes
 * the connection after it, so no connection is pooled and the idle baseline is
 * zero open connections: a connection still open after a call has ended is one
 * the client failed to release. The one exception is `/keep-alive-close`, which
 * promises keep-alive and closes all the same (the fault it stands for).
 *
 * Written once for both lines: what it needs of Effect comes from the line's support kit.
 */
import { HttpRequest, ResilientHttpClient } from "@aio-request/line/platform"
import type { Exit, Scope } from "@aio-request/line/platform-support"
import { chaosTransports, Clock, Effect, Fiber, forkChild, Schedule } from "@aio-request/line/platform-support"
import * as Net from "node:net"
import { monitorEventLoopDelay } from "node:perf_hooks"

/** The routes, one per fault (plus `ok`, `slow` and `redirect-loop` to compose scenarios). */
export const routes = [
  /** 200 `ok` at once. */
  "ok",
  /** 200 `slow` after `?ms=` milliseconds (default 1000). */
  "slow",
  /** Reads the request, then resets the connection (RST) before any byte of an answer. */
  "reset-before-headers",
  /** Sends the headers and 10 of 1000 announced body bytes, then resets the connection. */
  "reset-mid-body",
  /** Reads the request and never answers (the connection stays open until the client leaves). */
  "hang",
  /** Sends the status line, then one header byte every 200 ms, never ending the headers. */
  "drip-headers",
  /** Sends the headers at once (`Content-Length: 100`), then one body byte every 200 ms. */
  "drip-body",
  /** 503 for the first `?n=` requests this route sees (default 2), then 200. */
  "burst",
  /** Never answers the first `?n=` requests this route sees (default 1), then 200 at once: a hedge wins. */
  "first-hangs",
  /** 200 with `Connection: keep-alive`, then closes the connection anyway. */
  "keep-alive-close",
  /** `HTTP/1.1 abc` as the status line. */
  "bad-status-line",
  /** `Content-Length: abc`. */
  "bad-content-length",
  /** 302 to `data:text/plain,chaos`. */
  "redirect-data",
  /** 302 to `file:///etc/passwd`. */
  "redirect-file",
  /** 302 to itself, forever. */
  "redirect-loop"
] as const

export type Route = typeof routes[number]

/**
 * How late after its deadline a call may end: 100 ms. A correctness bound (the
 * deadline is honoured), not a speed assertion; on a machine far busier than
 * CI, `RELIABILITY_SLACK_MS` raises it.
 */
export const slackMillis: number = Number(process.env["RELIABILITY_SLACK_MS"] ?? "100")

/**
 * Runs `effect` and says how long it took, and how long the event loop was
 * starved meanwhile (`lag`, zero when the call ended in time): how late the
 * process's own timer for the same deadline fired, or the longest event-loop
 * delay seen during the call, whichever is larger. On a machine far busier
 * than CI every timer fires late and every step waits for the CPU; that
 * lateness is the machine's, not the client's. The bound a call must meet is
 * `deadline + slackMillis + lag`.
 */
export const timed = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  deadlineMillis: number
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly elapsed: number; readonly lag: number }, never, R> =>
  Effect.gen(function*() {
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const start = yield* Clock.currentTimeMillis
    const reference = yield* forkChild(Effect.andThen(Effect.sleep(deadlineMillis), Clock.currentTimeMillis))
    const exit = yield* Effect.exit(effect)
    const elapsed = (yield* Clock.currentTimeMillis) - start
    loop.disable()
    if (elapsed <= deadlineMillis + slackMillis) {
      yield* Fiber.interrupt(reference)
      return { exit, elapsed, lag: 0 }
    }
    const fired = yield* Fiber.join(reference)
    const stalled = Math.round(loop.max / 1e6) - 10 // the histogram counts the 10 ms resolution in
    return { exit, elapsed, lag: Math.max(0, fired - start - deadlineMillis, stalled) }
  })

/**
 * How many times a timed case is run again after a failure: 2. On a machine
 * far busier than CI (eight builds on two cores) a case now and then misses
 * the bound by tens of milliseconds; a client that ignores its deadline misses
 * it every time, so a retry does not hide one. On a quiet machine no case is
 * retried.
 */
export const timingRetries = 2

/** The drip interval of `drip-headers` and `drip-body`. */
export const dripMillis = 200

export interface Chaos {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string
  /** A URL on 127.0.0.1 where nothing listens: connecting is refused (the `refuses` fault). */
  readonly refusedUrl: string
  /** The requests a route has seen (request head read). */
  readonly requests: (route: Route) => Effect.Effect<number>
  /** Every request seen, all routes. */
  readonly totalRequests: Effect.Effect<number>
  /** Connections open now. */
  readonly openConnections: Effect.Effect<number>
  /** Connections open now, by the route of their request (`-` before a request was read). */
  readonly openByRoute: Effect.Effect<Readonly<Record<string, number>>>
  /** Connections accepted so far. */
  readonly acceptedConnections: Effect.Effect<number>
  /** Connections closed so far (by either side). */
  readonly closedConnections: Effect.Effect<number>
  /**
   * Waits (live clock) until no connection is open, polling every 10 ms; fails
   * with the open count if it is still above zero after `within` (default 2 s).
   */
  readonly awaitIdle: (within?: number) => Effect.Effect<void, string>
  /** Waits (live clock) until `route` has seen at least `count` requests; fails after `within` ms (default 2 s). */
  readonly awaitRequests: (route: Route, count: number, within?: number) => Effect.Effect<void, string>
}

const encoder = new TextEncoder()
const closeHeaders = "Connection: close\r\n"

const answer = (status: string, headers: string, body: string): Uint8Array =>
  encoder.encode(
    `HTTP/1.1 ${status}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n${closeHeaders}\r\n${body}`
  )

/** Starts a chaos server; it closes (its sockets destroyed, its timers cleared) with the scope. */
export const make: Effect.Effect<Chaos, never, Scope.Scope> = Effect.gen(function*() {
  const counts = new Map<Route, number>()
  const sockets = new Set<Net.Socket>()
  const routeOf = new WeakMap<Net.Socket, string>()
  let accepted = 0
  let closed = 0

  const handle = (socket: Net.Socket, route: Route | undefined, query: URLSearchParams): void => {
    if (route !== undefined) counts.set(route, (counts.get(route) ?? 0) + 1)
    routeOf.set(socket, route ?? "404")
    const timers: Array<NodeJS.Timeout> = []
    socket.on("close", () => timers.forEach(clearTimeout))
    const write = (bytes: string | Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes)
    }
    switch (route) {
      case undefined:
        socket.end(answer("404 Not Found", "", "no such route"))
        return
      case "ok":
        socket.end(answer("200 OK", "", "ok"))
        return
      case "slow": {
        const ms = Number(query.get("ms") ?? "1000")
        timers.push(setTimeout(() => socket.end(answer("200 OK", "", "slow")), ms))
        return
      }
      case "reset-before-headers":
        socket.resetAndDestroy()
        return
      case "reset-mid-body":
        write(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n${closeHeaders}\r\n0123456789`)
        // late enough that the client has read the headers (an RST drops unread bytes)
        timers.push(setTimeout(() => socket.resetAndDestroy(), 50))
        return
      case "hang":
        return
      case "drip-headers": {
        write("HTTP/1.1 200 OK\r\nX-Drip: ")
        const drip = () => {
          write("a")
          timers.push(setTimeout(drip, dripMillis))
        }
        timers.push(setTimeout(drip, dripMillis))
        return
      }
      case "drip-body": {
        write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n${closeHeaders}\r\n`)
        let sent = 0
        const drip = () => {
          write("x")
          sent++
          if (sent < 100) timers.push(setTimeout(drip, dripMillis))
          else socket.end()
        }
        timers.push(setTimeout(drip, dripMillis))
        return
      }
      case "burst": {
        const n = Number(query.get("n") ?? "2")
        socket.end(
          counts.get("burst")! <= n ? answer("503 Service Unavailable", "", "burst") : answer("200 OK", "", "ok")
        )
        return
      }
      case "first-hangs": {
        const n = Number(query.get("n") ?? "1")
        if (counts.get("first-hangs")! > n) socket.end(answer("200 OK", "", "ok"))
        return
      }
      case "keep-alive-close":
        write(
          encoder.encode(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\nContent-Length: 2\r\n\r\nok"
          )
        )
        socket.end()
        return
      case "bad-status-line":
        socket.end(`HTTP/1.1 abc\r\nContent-Length: 2\r\n${closeHeaders}\r\nok`)
        return
      case "bad-content-length":
        socket.end(`HTTP/1.1 200 OK\r\nContent-Length: abc\r\n${closeHeaders}\r\nok`)
        return
      case "redirect-data":
        socket.end(answer("302 Found", "Location: data:text/plain,chaos\r\n", ""))
        return
      case "redirect-file":
        socket.end(answer("302 Found", "Location: file:///etc/passwd\r\n", ""))
        return
      case "redirect-loop":
        socket.end(answer("302 Found", "Location: /redirect-loop\r\n", ""))
        return
    }
  }

  const server = Net.createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on("close", () => {
      closed++
      sockets.delete(socket)
    })
    socket.on("error", () => {})
    let head = ""
    let handled = false
    socket.on("data", (chunk) => {
      if (handled) return // one request per connection: every answer closes it
      head += chunk.toString("latin1")
      const end = head.indexOf("\r\n\r\n")
      if (end < 0) return
      handled = true
      const target = head.slice(0, head.indexOf("\r\n")).split(" ")[1] ?? "/"
      const url = new URL(target, "http://chaos")
      const name = url.pathname.slice(1)
      handle(socket, (routes as ReadonlyArray<string>).includes(name) ? name as Route : undefined, url.searchParams)
    })
  })

  const listen = (target: Net.Server) =>
    Effect.promise(() =>
      new Promise<number>((resolve) => {
        target.listen(0, "127.0.0.1", () => resolve((target.address() as Net.AddressInfo).port))
      })
    )

  const port = yield* Effect.acquireRelease(listen(server), () =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
    ))

  // a port that was bound and released: nothing listens there
  const spare = Net.createServer()
  const refusedPort = yield* listen(spare)
  yield* Effect.promise(() => new Promise<void>((resolve) => spare.close(() => resolve())))

  const waitUntil = (check: () => boolean, within: number, what: () => string): Effect.Effect<void, string> =>
    Effect.suspend(() => check() ? Effect.void : Effect.fail(what())).pipe(
      Effect.retry({ schedule: Schedule.spaced("10 millis"), times: Math.ceil(within / 10) })
    )

  return {
    url: `http://127.0.0.1:${port}`,
    refusedUrl: `http://127.0.0.1:${refusedPort}`,
    requests: (route) => Effect.sync(() => counts.get(route) ?? 0),
    totalRequests: Effect.sync(() => [...counts.values()].reduce((a, b) => a + b, 0)),
    openConnections: Effect.sync(() => sockets.size),
    openByRoute: Effect.sync(() => {
      const byRoute: Record<string, number> = {}
      for (const socket of sockets) {
        const route = routeOf.get(socket) ?? "-"
        byRoute[route] = (byRoute[route] ?? 0) + 1
      }
      return byRoute
    }),
    acceptedConnections: Effect.sync(() => accepted),
    closedConnections: Effect.sync(() => closed),
    awaitIdle: (within = 2000) =>
      waitUntil(() => sockets.size === 0, within, () => `${sockets.size} connection(s) still open after ${within} ms`),
    awaitRequests: (route, count, within = 2000) =>
      waitUntil(
        () => (counts.get(route) ?? 0) >= count,
        within,
        () => `${route} saw ${counts.get(route) ?? 0} request(s), not ${count}, within ${within} ms`
      )
  } satisfies Chaos
})

/**
 * The three transports every fault is checked on, as a user provides them:
 * undici, node:http and fetch (plain, which follows redirects itself unless the
 * client tells it not to).
 */
export const transports = chaosTransports

export type TransportName = typeof transports[number]["name"]

/**
 * One resilient request over each transport: the first request of a transport
 * loads its modules, which would otherwise count against a timed call.
 */
export const warmUp: Effect.Effect<void> = Effect.scoped(Effect.gen(function*() {
  const chaos = yield* make
  for (const transport of transports) {
    yield* Effect.flatMap(
      ResilientHttpClient.make({ endpoint: chaos.url }),
      (client) => Effect.flatMap(client.execute(HttpRequest.get("ok")), (response) => response.text)
    ).pipe(Effect.provide(transport.layer), Effect.orDie)
  }
  yield* Effect.orDie(chaos.awaitIdle())
}))
