/**
 * The demo (`pnpm demo`): every capability of aio-request, one short scene
 * each, over real HTTP on 127.0.0.1 (ports the system chooses).
 *
 *   pnpm demo                   all scenes, about a minute
 *   pnpm demo --list            the scenes' names
 *   pnpm demo --scene circuit   one scene (repeat --scene for more)
 *   pnpm demo --quick           a smaller load (what the tests run)
 *
 * `DEMO_QUICK=1` is the same as `--quick`.
 */
import { Observability } from "@aio-request/opentelemetry"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Console, Effect, Layer } from "effect"
import { scenes } from "./scenes.js"

const usage = "usage: pnpm demo [--list] [--quick] [--scene <name>]..."

const parse = (args: ReadonlyArray<string>) => {
  const chosen: Array<string> = []
  let list = false
  let quick = process.env.DEMO_QUICK === "1"
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") continue // `pnpm demo -- --scene x` passes the separator on
    else if (arg === "--list") list = true
    else if (arg === "--quick") quick = true
    else if (arg === "--scene") chosen.push(args[++i] ?? "")
    else if (arg.startsWith("--scene=")) chosen.push(arg.slice("--scene=".length))
    else return { error: `unknown argument ${JSON.stringify(arg)}` }
  }
  const unknown = chosen.filter((name) => !scenes.some((scene) => scene.name === name))
  if (unknown.length > 0) {
    return { error: `unknown scene ${unknown.map((n) => JSON.stringify(n)).join(", ")} (try --list)` }
  }
  return { list, quick, chosen }
}

const parsed = parse(process.argv.slice(2))
if ("error" in parsed) {
  console.error(`${parsed.error}\n${usage}`)
  process.exit(2)
}

const program = Effect.gen(function*() {
  if (parsed.list) {
    for (const scene of scenes) yield* Console.log(`${scene.name.padEnd(10)} ${scene.title}`)
    return
  }
  const chosen = parsed.chosen.length === 0
    ? scenes
    : scenes.filter((scene) => parsed.chosen.includes(scene.name))
  for (const [i, scene] of chosen.entries()) {
    const line = `── ${i + 1}/${chosen.length} ${scene.title} (--scene ${scene.name}) `
    yield* Console.log(`${i === 0 ? "" : "\n"}${line.padEnd(100, "─")}`)
    yield* scene.run({ quick: parsed.quick })
  }
})

const Main = Layer.mergeAll(NodeHttpClient.layerUndici, Observability.layerPrometheus({ port: 0 }))

Effect.runPromise(program.pipe(Effect.provide(Main))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
