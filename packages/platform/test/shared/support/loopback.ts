/**
 * A plain node:http server on 127.0.0.1 (ephemeral port) for the shared client tests: the same
 * on both lines, closed with its connections when the scope closes.
 */
import { Effect } from "@aio-request/line/platform-testkit"
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** What the server received: each request's URL and headers. */
export interface Received {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string | Array<string> | undefined>
}

/** Answers with `handler` (`n`: the request's rank, from 1); its base URL (no trailing slash) and what it received. */
export const loopback = (handler: (request: IncomingMessage, response: ServerResponse, n: number) => void) => {
  const received: Array<Received> = []
  const s = createServer((request, response) => {
    received.push({ url: request.url!, method: request.method!, headers: request.headers })
    handler(request, response, received.length)
  })
  return Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ readonly url: string; readonly received: ReadonlyArray<Received> }>((resolve) =>
        s.listen(
          0,
          "127.0.0.1",
          () => resolve({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, received })
        )
      )
    ),
    () =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          s.closeAllConnections()
          s.close(() => resolve())
        })
      )
  )
}

/** A URL on 127.0.0.1 where nothing listens (a port bound and released): connecting is refused. */
export const refusedUrl: Effect.Effect<string> = Effect.promise(() =>
  new Promise<string>((resolve) => {
    const s = createServer()
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port
      s.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })
)
