/**
 * The cost of `ServerMiddleware` per request, in process (no sockets): a router
 * app handled as a server handles it (Effect 3: `HttpApp.toHandled(app, write, middleware)`,
 * what `HttpServer.serve(app, middleware)` runs for each request; Effect 4: the
 * middleware installed as global router middleware, `HttpEffect.toHandled(app, write)`,
 * as a server built with `HttpRouter.serve` has it; see `support/line.ts`), with a
 * response writer that notes the status, each request in a fiber of its own,
 * four ways:
 *
 * - bare: no middleware
 * - identity: a middleware that does nothing (`(app) => app`): what any
 *   middleware costs in the platform, the floor for ours
 * - middleware: `ServerMiddleware.make()`
 * - cancelOnTimeout: `ServerMiddleware.make({ cancelOnTimeout: true })`
 *
 * Runs alternate so that drift affects all alike; the figure is the process's
 * CPU time per request over bare (the median over rounds of the difference
 * within each round).
 *
 * Written once for both lines (copied to effect4/platform/bench):
 *
 *   cd packages/platform && npx tsx bench/serverMiddleware.ts [--requests 500] [--rounds 60] [--only middleware]
 *   cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/serverMiddleware.ts [same options]
 *
 * (`--requests` per block; the blocks of the four apps alternate, `--rounds` times.
 * `--only <name>` runs one app alone, for `--cpu-prof`.)
 */
import { Effect, Fiber } from "effect"
import { quick, report } from "../../../bench/figure.js"
import { ServerMiddleware } from "../src/index.js"
import { fork, type Handled, handled, HttpServerRequest, line } from "./support/line.js"

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
const noted = (status: number) => {
  written = status
}

const headers = { "x-request-timeout": "2.5", "x-request-priority": "high", "x-service-name": "bench" }

const program = Effect.gen(function*() {
  const apps: Record<Name, Handled> = {
    bare: yield* handled("/users/:id", noted),
    identity: yield* handled("/users/:id", noted, (app) => app),
    middleware: yield* handled("/users/:id", noted, ServerMiddleware.make()),
    cancelOnTimeout: yield* handled("/users/:id", noted, ServerMiddleware.make({ cancelOnTimeout: true }))
  }
  const run = (app: Handled, count: number = requests) =>
    Effect.gen(function*() {
      // CPU time of the process, not wall time: on a shared machine the wall
      // clock also counts the time other processes had the core
      const start = process.cpuUsage()
      for (let i = 0; i < count; i++) {
        const request = HttpServerRequest.fromWeb(new Request(`http://127.0.0.1/users/${i}`, { headers }))
        written = 0
        // each request in a fiber of its own, as the server runs it (the fiber's
        // refs, pre-response handlers included, are not carried to the next)
        yield* Fiber.await(yield* fork(Effect.provideService(app, HttpServerRequest.HttpServerRequest, request)))
        if (written !== 200) return yield* Effect.die(new Error(`status ${written}`))
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
    `${line.name}ServerMiddleware, in process (${line.handled} as the server runs it), blocks of ${requests} ` +
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
    id: `${line.id}server.middleware_added_us`,
    title: `${line.title}CPU added per request by ServerMiddleware.make() over the bare app (in process, toHandled)`,
    value: added("middleware"),
    unit: "µs/op",
    anchor: "a middleware that does nothing",
    anchorValue: added("identity")
  })
  report({
    id: `${line.id}server.cancel_on_timeout_added_us`,
    title:
      `${line.title}CPU added per request by ServerMiddleware.make({ cancelOnTimeout: true }) over the bare app (in process)`,
    value: added("cancelOnTimeout"),
    unit: "µs/op",
    anchor: "a middleware that does nothing",
    anchorValue: added("identity")
  })
}).pipe(Effect.scoped)

await Effect.runPromise(program)
