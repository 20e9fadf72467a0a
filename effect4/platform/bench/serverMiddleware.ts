/**
 * The Effect 4 twin of packages/platform/bench/serverMiddleware.ts: the cost of
 * `ServerMiddleware` per request, in process (no sockets). A router app
 * (`HttpRouter.toHttpEffect`), the middleware installed as global router
 * middleware (`HttpRouter.middleware(m, { global: true })`, as a server built
 * with `HttpRouter.serve` has it), handled as the server handles it
 * (`HttpEffect.toHandled(app, write)`, with a response writer that notes the
 * status), each request in a fiber of its own, four ways:
 *
 * - bare: no middleware
 * - identity: a middleware that does nothing (`(app) => app`): what any
 *   global router middleware costs in `effect/http`, the floor for ours
 * - middleware: `ServerMiddleware.make()`
 * - cancelOnTimeout: `ServerMiddleware.make({ cancelOnTimeout: true })`
 *
 * Runs alternate so that drift affects all alike; the figure is the process's
 * CPU time per request over bare (the median over rounds of the difference
 * within each round).
 *
 * cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/serverMiddleware.ts
 *   [--requests 500] [--rounds 60] [--only middleware]
 *
 * (`--requests` per block; the blocks of the four apps alternate, `--rounds` times.
 * `--only <name>` runs one app alone, for `--cpu-prof`.)
 */
import { Effect, Fiber, Layer } from "effect"
import { HttpEffect, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { quick, report } from "../../../bench/figure.js"
import { ServerMiddleware } from "../src/index.js"
import type { Middleware } from "./support/server.js"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
// short blocks, many rounds: on a shared machine, blocks seconds apart see
// different loads; blocks milliseconds apart see about the same
const requests = arg("requests", 500)
const rounds = arg("rounds", quick ? 5 : 60)
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined

const names = ["bare", "identity", "middleware", "cancelOnTimeout"] as const
type Name = typeof names[number]

// the status of the last answer written
let written = 0
const write = (_request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) =>
  Effect.sync(() => {
    written = response.status
  })

const headers = { "x-request-timeout": "2.5", "x-request-priority": "high", "x-service-name": "bench" }

const program = Effect.gen(function*() {
  const routes = HttpRouter.add("GET", "/users/:id", HttpServerResponse.text("ok"))
  const handled = (middleware?: Middleware) =>
    Effect.map(
      HttpRouter.toHttpEffect(
        middleware === undefined
          ? routes
          : Layer.mergeAll(routes, HttpRouter.middleware(middleware, { global: true }))
      ),
      (app) => HttpEffect.toHandled(app, write) as Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>
    )
  const apps: Record<Name, Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>> = {
    bare: yield* handled(),
    identity: yield* handled((app) => app),
    middleware: yield* handled(ServerMiddleware.make()),
    cancelOnTimeout: yield* handled(ServerMiddleware.make({ cancelOnTimeout: true }))
  }
  const run = (app: Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>, count: number = requests) =>
    Effect.gen(function*() {
      // CPU time of the process, not wall time: on a shared machine the wall
      // clock also counts the time other processes had the core
      const start = process.cpuUsage()
      for (let i = 0; i < count; i++) {
        const request = HttpServerRequest.fromWeb(new Request(`http://127.0.0.1/users/${i}`, { headers }))
        written = 0
        // each request in a fiber of its own, as the server runs it
        yield* Fiber.await(
          yield* Effect.forkChild(Effect.provideService(app, HttpServerRequest.HttpServerRequest, request))
        )
        if (written !== 200) return yield* Effect.die(`status ${written}`)
      }
      const used = process.cpuUsage(start)
      return (used.user + used.system) / count
    })

  if (only !== undefined) {
    const app = apps[only as Name]
    yield* run(app, requests * rounds)
    console.log(`${only}: ${(yield* run(app, requests * rounds)).toFixed(1)} µs CPU/request`)
    return
  }
  const totals: Record<Name, Array<number>> = { bare: [], identity: [], middleware: [], cancelOnTimeout: [] }
  for (let i = 0; i < 4; i++) for (const name of names) yield* run(apps[name]) // warm-up (JIT)
  for (let round = 0; round < rounds; round++) {
    for (const name of names) totals[name].push(yield* run(apps[name]))
  }
  console.log(
    `Effect 4 ServerMiddleware, in process (global router middleware, HttpEffect.toHandled as the server runs it), blocks of ${requests} ` +
      `requests, ${rounds} rounds (CPU µs per request, median over blocks; node ${process.version})`
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
    id: "effect4.server.middleware_added_us",
    title: "Effect 4: CPU added per request by ServerMiddleware.make() over the bare app (in process, toHandled)",
    value: added("middleware"),
    unit: "µs/op",
    anchor: "a middleware that does nothing",
    anchorValue: added("identity")
  })
  report({
    id: "effect4.server.cancel_on_timeout_added_us",
    title:
      "Effect 4: CPU added per request by ServerMiddleware.make({ cancelOnTimeout: true }) over the bare app (in process)",
    value: added("cancelOnTimeout"),
    unit: "µs/op",
    anchor: "a middleware that does nothing",
    anchorValue: added("identity")
  })
}).pipe(Effect.scoped)

await Effect.runPromise(program)
