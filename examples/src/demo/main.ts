/**
 * The demo (`pnpm demo`): every capability of aio-request, one short scene
 * each, over real HTTP on 127.0.0.1 (ports the system chooses), on the
 * Effect 3 line or, with `--effect4`, the Effect 4 line: the same scenes
 * (this folder), each line's glue in `@aio-request/line/demo`.
 *
 *   pnpm demo                   all scenes, about a minute
 *   pnpm demo --list            the scenes' names
 *   pnpm demo --scene circuit   one scene (repeat --scene for more)
 *   pnpm demo --quick           a smaller load (what the tests run)
 *   pnpm demo --effect4         on the Effect 4 line (effect4/*, effect 4, Node 22)
 *
 * `DEMO_QUICK=1` is the same as `--quick`.
 */
import { Console, Effect, line, Main } from "@aio-request/line/demo"
import { relaunchOnEffect4 } from "./relaunch.js"
import { scenes } from "./scenes.js"

const usage = "usage: pnpm demo [--effect4] [--list] [--quick] [--scene <name>]..."

const parse = (args: ReadonlyArray<string>) => {
  const chosen: Array<string> = []
  let list = false
  let effect4 = false
  let quick = process.env.DEMO_QUICK === "1"
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") continue // `pnpm demo -- --scene x` passes the separator on
    else if (arg === "--list") list = true
    else if (arg === "--quick") quick = true
    else if (arg === "--effect4") effect4 = true
    else if (arg === "--scene") chosen.push(args[++i] ?? "")
    else if (arg.startsWith("--scene=")) chosen.push(arg.slice("--scene=".length))
    else return { error: `unknown argument ${JSON.stringify(arg)}` }
  }
  const unknown = chosen.filter((name) => !scenes.some((scene) => scene.name === name))
  if (unknown.length > 0) {
    return { error: `unknown scene ${unknown.map((n) => JSON.stringify(n)).join(", ")} (try --list)` }
  }
  return { list, quick, chosen, effect4 }
}

const args = process.argv.slice(2)
const parsed = parse(args)
if ("error" in parsed) {
  console.error(`${parsed.error}\n${usage}`)
  process.exit(2)
}
if (parsed.effect4 && line.name !== "Effect 4") process.exit(relaunchOnEffect4(args))

const program = Effect.gen(function*() {
  if (parsed.list) {
    for (const scene of scenes) yield* Console.log(`${scene.name.padEnd(10)} ${scene.title}`)
    return
  }
  const chosen = parsed.chosen.length === 0
    ? scenes
    : scenes.filter((scene) => parsed.chosen.includes(scene.name))
  yield* Console.log(`${line.name} line: ${line.runtime}`)
  for (const [i, scene] of chosen.entries()) {
    const title = `── ${i + 1}/${chosen.length} ${scene.title}, on ${line.name} (--scene ${scene.name}) `
    yield* Console.log(`\n${title.padEnd(100, "─")}`)
    yield* scene.run({ quick: parsed.quick })
  }
})

Effect.runPromise(program.pipe(Effect.provide(Main))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
