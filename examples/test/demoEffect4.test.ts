/**
 * `pnpm demo --effect4`: the Effect 3 entry runs the same main.ts again on the
 * Effect 4 line, under Node 22 (fetched by npx when this Node is older), and
 * its scenes say so. The scenes themselves are tested on both lines by
 * test/shared/demo.test.ts.
 */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { nodeRunsEffect4 } from "../src/demo/relaunch.js"

const examples = path.resolve(import.meta.dirname, "..")

/** Runs `tsx src/demo/main.ts ...args` (not blocking the test worker); its exit code and output. */
const demo = (...args: ReadonlyArray<string>) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const tsx = createRequire(import.meta.url).resolve("tsx/cli")
    const child = spawn(process.execPath, [tsx, "src/demo/main.ts", ...args], { cwd: examples })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => stdout += String(chunk))
    child.stderr.on("data", (chunk) => stderr += String(chunk))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

describe("pnpm demo --effect4", () => {
  it("runs a scene on the Effect 4 line, under Node 22", async () => {
    const result = await demo("--effect4", "--quick", "--scene", "deadline")
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^Effect 4 line: effect 4\.\d+\.\d+ \(effect\/http\), .*Node v2[2-9]\./m)
    expect(result.stdout).toContain("A deadline shrinking across two services, on Effect 4 (--scene deadline)")
    expect(result.stdout).toContain("none once the deadline had passed")
  }, 180_000)

  it("needs Node 22.19 or newer for the Effect 4 line", () => {
    expect(nodeRunsEffect4("20.20.2")).toBe(false)
    expect(nodeRunsEffect4("22.18.0")).toBe(false)
    expect(nodeRunsEffect4("22.19.0")).toBe(true)
    expect(nodeRunsEffect4("24.1.0")).toBe(true)
  })
})
