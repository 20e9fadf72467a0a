/**
 * The cost of `ServerMiddleware` per request, in process (no sockets): a router
 * app run bare, behind `ServerMiddleware.make()`, and behind
 * `ServerMiddleware.make({ cancelOnTimeout: true })` (which forks the app and a
 * timer). Runs alternate so that drift affects all alike.
 *
 * cd packages/platform && npx tsx bench/serverMiddleware.ts [--requests 20000] [--rounds 3]
 */
import { ServerMiddleware } from "@aio-request/platform"
import type { HttpApp } from "@effect/platform"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const requests = arg("requests", 20_000)
const rounds = arg("rounds", 3)

const router = HttpRouter.empty.pipe(HttpRouter.get("/users/:id", HttpServerResponse.text("ok")))
const apps: Record<"bare" | "middleware" | "cancelOnTimeout", HttpApp.Default<unknown>> = {
  bare: router,
  middleware: ServerMiddleware.make()(router),
  cancelOnTimeout: ServerMiddleware.make({ cancelOnTimeout: true })(router)
}

const run = (app: HttpApp.Default<unknown>) =>
  Effect.gen(function*() {
    const start = performance.now()
    for (let i = 0; i < requests; i++) {
      const request = HttpServerRequest.fromWeb(
        new Request(`http://127.0.0.1/users/${i}`, {
          headers: { "x-request-timeout": "2.5", "x-request-priority": "high", "x-service-name": "bench" }
        })
      )
      const response = yield* app.pipe(
        Effect.scoped,
        Effect.provideService(HttpServerRequest.HttpServerRequest, request)
      )
      if (response.status !== 200) return yield* Effect.dieMessage(`status ${response.status}`)
    }
    return (performance.now() - start) * 1000 / requests
  })

const program = Effect.gen(function*() {
  const totals: Record<keyof typeof apps, Array<number>> = { bare: [], middleware: [], cancelOnTimeout: [] }
  yield* run(apps.middleware) // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(apps) as Array<keyof typeof apps>) {
      totals[name].push(yield* run(apps[name]))
    }
  }
  console.log(`ServerMiddleware, in process, ${requests} requests x ${rounds} rounds (µs per request, median)`)
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const bare = median(totals.bare)
  for (const name of Object.keys(apps) as Array<keyof typeof apps>) {
    const m = median(totals[name])
    console.log(`  ${name.padEnd(16)} ${m.toFixed(1).padStart(7)} µs  (+${(m - bare).toFixed(1)} µs over bare)`)
  }
})

Effect.runPromise(program)
