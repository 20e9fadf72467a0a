/**
 * Typechecks every ```ts code block of README.md and docs/*.md against the
 * packages' public API (`pnpm docs:check`, also run by `pnpm check`).
 *
 * Each block becomes its own module under `build/docs-check/` (git-ignored),
 * named after its file and line, and all of them are compiled together by tsc
 * with the repository's base flags (strict, `exactOptionalPropertyTypes`, ...).
 * `@aio-request/*`, `effect` and `@effect/platform*` resolve through the
 * workspace exactly as they do for the examples package: the folder's
 * `node_modules` is a link to `examples/node_modules`.
 *
 * A block must be a complete program with its imports. A block that is
 * deliberately a fragment is fenced ```ts-fragment (or ```text) and is not
 * checked.
 *
 * Errors are reported at the Markdown line they come from:
 * `docs/client.md:140:7 error TS2304: Cannot find name 'callUpstream'.`
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as url from "node:url"
import ts from "typescript"

const root = path.resolve(import.meta.dirname, "..")
const outDir = path.join(root, "build", "docs-check")

/** The fence languages that are typechecked; anything else is not. */
const checkedLanguages = new Set(["ts", "typescript"])

interface Block {
  /** Markdown file, relative to the root. */
  readonly source: string
  /** 1-based line of the first line of code (the line after the fence). */
  readonly line: number
  readonly code: string
  /** Generated module, absolute. */
  readonly file: string
}

/** README.md and docs/*.md, relative to the root. */
export const markdownFiles = (): ReadonlyArray<string> => {
  const docs = fs.readdirSync(path.join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => path.join("docs", name))
  return ["README.md", ...docs]
}

/** Splits one Markdown file into its fenced blocks of a checked language. */
export const extract = (source: string): ReadonlyArray<Block> => {
  const lines = fs.readFileSync(path.join(root, source), "utf8").split("\n")
  const blocks: Array<Block> = []
  const slug = source.replace(/\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-")
  let open: { readonly fence: string; readonly language: string; readonly line: number } | undefined
  let body: Array<string> = []
  lines.forEach((text, index) => {
    if (open === undefined) {
      const match = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(text)
      if (match !== null) {
        open = { fence: match[2]!, language: match[3]!.toLowerCase(), line: index + 2 }
        body = []
      }
      return
    }
    if (text.trim().startsWith(open.fence) && text.trim().replace(/[`~]/g, "") === "") {
      if (checkedLanguages.has(open.language)) {
        blocks.push({
          source,
          line: open.line,
          code: body.join("\n"),
          file: path.join(outDir, `${slug}-L${open.line}.ts`)
        })
      }
      open = undefined
      return
    }
    body.push(text)
  })
  if (open !== undefined) {
    throw new Error(`${source}:${(open as { line: number }).line - 1}: code fence is never closed`)
  }
  return blocks
}

const prepare = (blocks: ReadonlyArray<Block>): void => {
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.mkdirSync(outDir, { recursive: true })
  // Resolve packages as the examples package does (workspace links included).
  fs.symlinkSync(path.join(root, "examples", "node_modules"), path.join(outDir, "node_modules"), "dir")
  for (const block of blocks) {
    // `export {}` keeps every block a module of its own, so two blocks may
    // declare the same names; it goes on the last line to keep line numbers.
    fs.writeFileSync(block.file, `${block.code}\nexport {}\n`)
  }
}

const compilerOptions = (): ts.CompilerOptions => {
  const configPath = path.join(root, "tsconfig.base.json")
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p))
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, outDir, undefined, configPath)
  return {
    ...parsed.options,
    noEmit: true,
    // A documentation example may show a value it does not go on to use.
    noUnusedLocals: false,
    noUnusedParameters: false
  }
}

const main = (): number => {
  const blocks = markdownFiles().flatMap(extract)
  prepare(blocks)
  const byFile = new Map(blocks.map((block) => [path.normalize(block.file), block]))
  const program = ts.createProgram(blocks.map((block) => block.file), compilerOptions())
  const diagnostics = ts.getPreEmitDiagnostics(program)
  let errors = 0
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
    const category = ts.DiagnosticCategory[diagnostic.category].toLowerCase()
    if (diagnostic.category === ts.DiagnosticCategory.Error) errors++
    const block = diagnostic.file === undefined ? undefined : byFile.get(path.normalize(diagnostic.file.fileName))
    if (diagnostic.file !== undefined && diagnostic.start !== undefined) {
      const { character, line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
      const where = block === undefined
        ? `${path.relative(root, diagnostic.file.fileName)}:${line + 1}:${character + 1}`
        : `${block.source}:${block.line + line}:${character + 1}`
      console.error(`${where} ${category} TS${diagnostic.code}: ${message}`)
    } else {
      console.error(`${category} TS${diagnostic.code}: ${message}`)
    }
  }
  const files = new Set(blocks.map((block) => block.source)).size
  if (errors > 0) {
    console.error(`docs:check: ${errors} error(s) in the ts blocks of README.md and docs/*.md`)
    return 1
  }
  console.log(`docs:check: ${blocks.length} ts blocks in ${files} files typecheck`)
  return 0
}

// Run as a script only: another script may import `markdownFiles` and `extract`.
if (process.argv[1] !== undefined && import.meta.url === url.pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main()
}
