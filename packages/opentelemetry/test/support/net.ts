import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"

/** Listens on 127.0.0.1 with a plain TCP server (to hold a port), released with the scope. */
export const holdPort = (port = 0): Effect.Effect<number, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<Net.Server>((resume) => {
        const server = Net.createServer()
        server.listen({ host: "127.0.0.1", port }, () => {
          resume(Effect.succeed(server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
        })
    ),
    (server) => (server.address() as Net.AddressInfo).port
  )

/** A port that was free a moment ago. */
export const freePort: Effect.Effect<number> = Effect.scoped(holdPort(0))
