/**
 * `pnpm bench` in opentelemetry: every benchmark of the package, one after
 * another, each in a process of its own. Effect's metric registry is global to
 * a process: run together, one benchmark's label sets would show up in the
 * other's scrapes.
 */
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const run = (file: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, join(here, file), ...process.argv.slice(2)], {
      stdio: "inherit"
    })
    child.once("exit", (code) => code === 0 ? resolve() : reject(new Error(`bench/${file} exited ${code}`)))
  })

await run("metrics.ts")
await run("scrape.ts")
