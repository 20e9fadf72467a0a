/**
 * examples/src/profile.ts is the README's "A taste": the same program below
 * its header comment, so that running one runs the other (`pnpm docs:run`
 * runs the README's copy).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "..", "..")

describe("examples/src/profile.ts", () => {
  it("is the README's \"A taste\", verbatim", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
    const taste = readme.slice(readme.indexOf("## A taste"))
    const block = /```ts\n([\s\S]*?)```/.exec(taste)?.[1]
    const program = fs.readFileSync(path.join(root, "examples", "src", "profile.ts"), "utf8")
    expect(block).toBe(program.slice(program.indexOf("*/\n") + 3))
  })
})
