/**
 * Loopback helpers of the shared observability tests, on both lines (`Effect`
 * comes from the kit `@aio-request/line/opentelemetry`): scrapes, an OTLP
 * receiver released with the scope, ports, and waiting for a condition.
 */
import { Effect } from "@aio-request/line/opentelemetry"
import * as Net from "node:net"
import * as Node from "../../support/otlpReceiverNode.js"
import { parse, type Scrape } from "../../support/prometheusText.js"

export { attributes, type OtlpMetric, type OtlpSpan } from "../../support/otlpReceiverNode.js"
export { parse, type Scrape } from "../../support/prometheusText.js"

/** A GET with fetch: status, content type and body text (fails when nothing answers). */
export const get = (url: string) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(url)
      return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() }
    },
    catch: (cause) => cause instanceof Error ? cause : new Error(String(cause))
  })

/** A scrape of `url`, parsed (fails on another status than 200). */
export const scrape = (url: string): Effect.Effect<Scrape, Error> =>
  Effect.flatMap(get(url), (answer) =>
    answer.status === 200
      ? Effect.succeed(parse(answer.body))
      : Effect.fail(new Error(`scrape of ${url} answered ${answer.status}`)))

/** Runs `effect` until `ok` holds for its result (real time, every 20 ms), at most 10 seconds. */
export const eventually = <A, E>(effect: Effect.Effect<A, E>, ok: (a: A) => boolean, what: string) =>
  Effect.gen(function*() {
    for (let tries = 0; tries < 500; tries++) {
      const a = yield* effect
      if (ok(a)) return a
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** An OTLP/HTTP (JSON) receiver on 127.0.0.1, closed with the scope: what it was sent. */
export const receiver = Effect.map(
  Effect.acquireRelease(Effect.promise(Node.start), (receiver) => Effect.promise(receiver.close)),
  (receiver) => {
    const received = Effect.sync(receiver.received)
    return {
      url: receiver.url,
      received,
      metrics: Effect.map(received, Node.metricsOf),
      spans: Effect.map(received, Node.spansOf)
    }
  }
)

/** Listens on 127.0.0.1 with a plain TCP server (to hold a port), closed with the scope; the port. */
export const holdPort = (port = 0) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() =>
        new Promise<Net.Server>((resolve) => {
          const server = Net.createServer()
          server.listen({ host: "127.0.0.1", port }, () => resolve(server))
        })
      ),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    ),
    (server) => (server.address() as Net.AddressInfo).port
  )

/** A port that was free a moment ago. */
export const freePort: Effect.Effect<number> = Effect.scoped(holdPort(0))
