/* global console, process */
// Runs `node` 22 (from the npm registry, through npx) with the given arguments: the Effect 4
// line's tests need Node >= 22.19, and machines here have Node 20. npx inside a pnpm script
// inherits pnpm's npm_config_* variables and warns about them: they are removed first.
// Exits with the child's code.
import { spawnSync } from "node:child_process"

const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_"))
)
const result = spawnSync("npx", ["--yes", "node@22.23.3", ...process.argv.slice(2)], { stdio: "inherit", env })
if (result.error !== undefined) {
  console.error(result.error.message)
  process.exit(1)
}
process.exit(result.status ?? 1)
