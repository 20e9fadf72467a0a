import type { HttpApp } from "@effect/platform"
import { FetchHttpClient, HttpServer } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer, Ref } from "effect"
import type { Scope } from "effect"
import { createServer } from "node:http"
import * as Net from "node:net"

/** Starts `app` on 127.0.0.1, ephemeral port; the base URL (no trailing slash). */
export const serve = <E>(app: HttpApp.Default<E, Scope.Scope>): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })).pipe(
      Effect.orDie
    )
    yield* HttpServer.serveEffect(app).pipe(Effect.provide(context))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not a TCP server")
    return `http://127.0.0.1:${address.port}`
  })

/**
 * A raw TCP server on 127.0.0.1 that hands every connection to `onConnection`
 * and counts them; closed (with its sockets) when the scope closes.
 */
export const tcpServer = (
  onConnection: (socket: Net.Socket) => void
): Effect.Effect<{ readonly url: string; readonly connections: Effect.Effect<number> }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const count = yield* Ref.make(0)
    const sockets = new Set<Net.Socket>()
    const server = Net.createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      Effect.runSync(Ref.update(count, (n) => n + 1))
      onConnection(socket)
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `http://127.0.0.1:${port}`, connections: Ref.get(count) }
  })

/** A port on 127.0.0.1 nobody listens on: connecting to it is refused. */
export const refusedUrl: Effect.Effect<string> = Effect.async<string>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(`http://127.0.0.1:${port}`)))
  })
})

/** The transports every behaviour is checked on. */
export const transports: ReadonlyArray<{ readonly name: string; readonly layer: Layer.Layer<HttpClient.HttpClient> }> =
  [
    { name: "undici", layer: NodeHttpClient.layerUndici },
    {
      name: "fetch",
      // fetch follows redirects itself unless told not to: the resilient client does it
      layer: FetchHttpClient.layer.pipe(
        Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" }))
      )
    }
  ]
