/**
 * `pnpm demo --effect4` from the Effect 3 line: runs this demo again on the
 * Effect 4 line. The same main.ts runs under tsx with effect4/examples'
 * tsconfig, whose paths map `@aio-request/line/*` to effect4/*, under Node 22:
 * the current node when it is 22.19 or newer (what `@effect/platform-node` 4
 * needs), else node 22 fetched from the npm registry by scripts/node22.mjs.
 */
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url))

/** Whether this Node can run the Effect 4 line (22.19 or newer). */
export const nodeRunsEffect4 = (version: string = process.versions.node): boolean => {
  const [major = 0, minor = 0] = version.split(".").map(Number)
  return major > 22 || (major === 22 && minor >= 19)
}

/**
 * Runs `script` (main.ts unless told, a path from the repository's root) with
 * `args` on the Effect 4 line; returns its exit code.
 */
export const relaunchOnEffect4 = (
  args: ReadonlyArray<string>,
  script: string = "examples/src/demo/main.ts"
): number => {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli")
  const program = [
    tsx,
    "--tsconfig",
    root("effect4/examples/tsconfig.json"),
    root(script),
    ...args
  ]
  const node = nodeRunsEffect4() ? [...program] : [root("scripts/node22.mjs"), ...program]
  const result = spawnSync(process.execPath, node, { stdio: "inherit" })
  if (result.error !== undefined) {
    console.error(result.error.message)
    return 1
  }
  return result.status ?? 1
}
