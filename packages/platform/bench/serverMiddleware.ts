/**
 * The cost of `ServerMiddleware` per request, in process (no sockets): a router
 * app handled as a server handles it (`HttpApp.toHandled(app, write, middleware)`,
 * what `HttpServer.serve(app, middleware)` runs for each request, with a
 * response writer that notes the status), each request in a fiber of its own,
 * four ways:
 *
 * - bare: no middleware
 * - identity: a middleware that does nothing (`(app) => app`): what any
 *   middleware costs in `@effect/platform`, the floor for ours
 * - middleware: `ServerMiddleware.make()`
 * - cancelOnTimeout: `ServerMiddleware.make({ cancelOnTimeout: true })`
 *
 * Runs alternate so that drift affects all alike; the figure is the process's
 * CPU time per request over bare (the median over rounds of the difference
 * within each round).
 *
 * cd packages/platform && npx tsx bench/serverMiddleware.ts [--requests 500] [--rounds 60]
 *
 * (`--requests` per block; the blocks of the four apps alternate, `--rounds` times.)
 */
import { ServerMiddleware } from "@aio-request/platform"
import type { HttpMiddleware } from "@effect/platform"
import { HttpApp, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Fiber } from "effect"
import { quick, report } from "../../../bench/figure.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
// short blocks, many rounds: on a shared machine, blocks seconds apart see
// different loads; blocks milliseconds apart see about the same
const requests = arg("requests", 500)
const rounds = arg("rounds", quick ? 5 : 60)

const router = HttpRouter.empty.pipe(HttpRouter.get("/users/:id", HttpServerResponse.text("ok")))
// the status of the last answer written
let written = 0
const write = (_request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) =>
  Effect.sync(() => {
    written = response.status
  })
const handled = (middleware?: HttpMiddleware.HttpMiddleware) =>
  HttpApp.toHandled(router, write, middleware) as Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>
const names = ["bare", "identity", "middleware", "cancelOnTimeout"] as const
type Name = typeof names[number]
const apps: Record<Name, ReturnType<typeof handled>> = {
  bare: handled(),
  identity: handled((app) => app),
  middleware: handled(ServerMiddleware.make()),
  cancelOnTimeout: handled(ServerMiddleware.make({ cancelOnTimeout: true }))
}

const headers = { "x-request-timeout": "2.5", "x-request-priority": "high", "x-service-name": "bench" }

const run = (app: ReturnType<typeof handled>) =>
  Effect.gen(function*() {
    // CPU time of the process, not wall time: on a shared machine the wall
    // clock also counts the time other processes had the core
    const start = process.cpuUsage()
    for (let i = 0; i < requests; i++) {
      const request = HttpServerRequest.fromWeb(new Request(`http://127.0.0.1/users/${i}`, { headers }))
      written = 0
      // each request in a fiber of its own, as the server runs it (the fiber's
      // refs, pre-response handlers included, are not carried to the next)
      yield* Fiber.await(yield* Effect.fork(Effect.provideService(app, HttpServerRequest.HttpServerRequest, request)))
      if (written !== 200) return yield* Effect.dieMessage(`status ${written}`)
    }
    const used = process.cpuUsage(start)
    return (used.user + used.system) / requests
  })

const program = Effect.gen(function*() {
  const totals: Record<Name, Array<number>> = { bare: [], identity: [], middleware: [], cancelOnTimeout: [] }
  for (let i = 0; i < 4; i++) for (const name of names) yield* run(apps[name]) // warm-up (JIT)
  for (let round = 0; round < rounds; round++) {
    for (const name of names) totals[name].push(yield* run(apps[name]))
  }
  console.log(
    `ServerMiddleware, in process (HttpApp.toHandled as the server runs it), blocks of ${requests} requests, ` +
      `${rounds} rounds (CPU µs per request, median over blocks)`
  )
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  // the difference within each round, then its median: steadier than the difference of medians
  const added = (name: Name) => median(totals[name].map((t, i) => t - totals.bare[i]!))
  for (const name of names) {
    console.log(
      `  ${name.padEnd(16)} ${median(totals[name]).toFixed(1).padStart(7)} µs  (+${
        added(name).toFixed(1)
      } µs over bare)`
    )
  }
  report({
    id: "server.middleware_added_us",
    title: "CPU added per request by ServerMiddleware.make() over the bare app (in process, toHandled)",
    value: added("middleware"),
    unit: "µs/op",
    anchor: "a middleware that does nothing",
    anchorValue: added("identity")
  })
  report({
    id: "server.cancel_on_timeout_added_us",
    title: "CPU added per request by ServerMiddleware.make({ cancelOnTimeout: true }) over the bare app (in process)",
    value: added("cancelOnTimeout"),
    unit: "µs/op",
    anchor: "a middleware that does nothing",
    anchorValue: added("identity")
  })
})

Effect.runPromise(program)
