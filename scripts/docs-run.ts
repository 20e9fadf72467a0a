/**
 * Runs every example of README.md, docs/*.md and the packages' READMEs that is
 * marked runnable, and checks what it prints (`pnpm docs:run`, also run by
 * `pnpm check`).
 *
 * A runnable example is a ```ts block preceded, on the line just before its
 * fence, by an HTML comment (invisible once rendered) giving text its output
 * must contain, stdout and stderr together:
 *
 *   <!-- run: expect "502 users is unreachable" expect "http.status: 502" -->
 *
 * and optionally `timeout 30s` (default 60 s). Each block is written to
 * `build/docs-run/` (git-ignored), where `@aio-request/*`, `effect` and
 * `@effect/platform*` resolve through the workspace as in `docs:check`, and
 * run with tsx, one at a time. The run fails when a block exits non-zero,
 * is still running at its timeout (it is killed), or prints without one of
 * its expected texts. So a block that starts a server must end by itself:
 * serve on port 0, call itself, stop.
 *
 *   pnpm docs:run                 every runnable block
 *   pnpm docs:run README.md       the runnable blocks of the files named
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { extract, markdownFiles } from "./docs-check.js"

const root = path.resolve(import.meta.dirname, "..")
const outDir = path.join(root, "build", "docs-run")
const defaultTimeoutMillis = 60_000

interface Runnable {
  readonly source: string
  /** 1-based line of the block's fence. */
  readonly line: number
  readonly code: string
  readonly expect: ReadonlyArray<string>
  readonly timeoutMillis: number
}

/** Reads `<!-- run: expect "..." ... timeout 30s -->`; undefined when the line is not one. */
const parseMarker = (text: string, where: string): Pick<Runnable, "expect" | "timeoutMillis"> | undefined => {
  const marker = /^\s*<!--\s*run:(.*)-->\s*$/.exec(text)
  if (marker === null) return undefined
  const expect: Array<string> = []
  let timeoutMillis = defaultTimeoutMillis
  const words = /\s*(?:expect\s+"((?:[^"\\]|\\.)*)"|timeout\s+(\d+)s)\s*/y
  const body = marker[1]!
  let at = 0
  while (at < body.length) {
    words.lastIndex = at
    const word = words.exec(body)
    if (word === null) throw new Error(`${where}: cannot read the run marker from ${JSON.stringify(body.slice(at))}`)
    if (word[1] !== undefined) expect.push(word[1].replace(/\\(.)/g, "$1"))
    else timeoutMillis = Number(word[2]) * 1000
    at = words.lastIndex
  }
  if (expect.length === 0) throw new Error(`${where}: a run marker needs at least one expect "..."`)
  return { expect, timeoutMillis }
}

const runnables = (sources: ReadonlyArray<string>): ReadonlyArray<Runnable> =>
  sources.flatMap((source) => {
    const lines = fs.readFileSync(path.join(root, source), "utf8").split("\n")
    return extract(source).flatMap((block) => {
      // block.line is the first line of code: the fence is the line before, the marker the one before that
      const fence = block.line - 1
      const marker = parseMarker(lines[fence - 2] ?? "", `${source}:${fence - 1}`)
      return marker === undefined ? [] : [{ source, line: fence, code: block.code, ...marker }]
    })
  })

/** README.md, docs/*.md and the package READMEs (docs-check's `markdownFiles`). */
const documents = markdownFiles

interface Outcome {
  readonly code: number | null
  readonly output: string
  readonly millis: number
  readonly timedOut: boolean
}

const run = (file: string, timeoutMillis: number): Promise<Outcome> =>
  new Promise((resolve) => {
    const started = process.hrtime.bigint()
    // one node process with tsx's loader (not the tsx binary, which runs node as a child), in a
    // process group of its own: a block still running at its timeout is killed with all it started
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: outDir,
      detached: true,
      env: { ...process.env, NO_COLOR: "1" }
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      process.kill(-child.pid!, "SIGKILL")
    }, timeoutMillis)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output, millis: Number(process.hrtime.bigint() - started) / 1e6, timedOut })
    })
  })

const indent = (text: string): string => text.trimEnd().split("\n").map((line) => `    | ${line}`).join("\n")

const main = async (): Promise<number> => {
  const named = process.argv.slice(2)
  const sources = named.length > 0 ? named.map((name) => path.relative(root, path.resolve(name))) : documents()
  const blocks = runnables(sources)
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.mkdirSync(outDir, { recursive: true })
  fs.symlinkSync(path.join(root, "examples", "node_modules"), path.join(outDir, "node_modules"), "dir")
  let failures = 0
  const started = process.hrtime.bigint()
  for (const block of blocks) {
    const slug = block.source.replace(/\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-")
    const file = path.join(outDir, `${slug}-L${block.line}.ts`)
    fs.writeFileSync(file, `${block.code}\nexport {}\n`)
    const outcome = await run(file, block.timeoutMillis)
    const missing = block.expect.filter((text) => !outcome.output.includes(text))
    const problem = outcome.timedOut
      ? `still running after ${block.timeoutMillis / 1000} s`
      : outcome.code !== 0
      ? `exited with ${outcome.code}`
      : missing.length > 0
      ? `printed without ${missing.map((text) => JSON.stringify(text)).join(", ")}`
      : undefined
    const where = `${block.source}:${block.line}`
    if (problem === undefined) {
      console.log(`ok   ${where.padEnd(36)} ${(outcome.millis / 1000).toFixed(1).padStart(5)} s`)
    } else {
      failures++
      console.error(`FAIL ${where.padEnd(36)} ${(outcome.millis / 1000).toFixed(1).padStart(5)} s  ${problem}`)
      console.error(indent(outcome.output))
    }
  }
  const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)
  if (failures > 0) {
    console.error(`docs:run: ${failures} of ${blocks.length} runnable blocks failed (${seconds} s)`)
    return 1
  }
  console.log(`docs:run: ${blocks.length} runnable blocks ran and printed what they say (${seconds} s)`)
  return 0
}

process.exitCode = await main()
