/**
 * Typechecks the code of the documentation against the packages' public API
 * (`pnpm docs:check`, also run by `pnpm check`):
 *
 * - every ```ts code block of README.md, docs/*.md and each package's README.md;
 * - every JSDoc `@example` of packages/*\/src/**\/*.ts (the Effect 3 line);
 * - every JSDoc `@example` of effect4/*\/src/**\/*.ts (the Effect 4 line).
 *
 * Each block becomes its own module under `build/docs-check/` (git-ignored),
 * named after its file and line, and all of them are compiled together by tsc
 * with the repository's base flags (strict, `exactOptionalPropertyTypes`, ...).
 * For the Markdown and the Effect 3 examples, `@aio-request/*`, `effect` and
 * `@effect/platform*` resolve through the workspace exactly as they do for the
 * examples package: the folder's `node_modules` is a link to
 * `examples/node_modules`. The Effect 4 examples are a second program under
 * `build/docs-check-effect4/`, whose `node_modules` links `@aio-request/*` to
 * effect4/* (the kernel to packages/kernel), `effect` to Effect 4 and
 * `@effect/platform-node` to its 4.x, as a user of the Effect 4 line has them.
 *
 * Markdown: a block must be a complete program with its imports. A block that
 * is deliberately a fragment is fenced ```ts-fragment (or ```text) and is not
 * checked.
 *
 * JSDoc: the code of an `@example` is the text after the tag up to the next
 * tag or the end of the comment; a ```ts fence around it is optional.
 * - An example with an `import` of its own is a complete program, checked as
 *   it is.
 * - An example without one is a snippet: the prelude below is put before it.
 *   It imports every public module of the packages as a namespace
 *   (`Strategy`, `CircuitBreaker`, `ResilientHttpClient`, ...), `effect`'s
 *   common modules (`Effect`, `Layer`, `Duration`, ...), `HttpClient`,
 *   `HttpClientRequest` and `HttpClientResponse` (from `@effect/platform`,
 *   or `effect/http` on the Effect 4 line), and declares
 *   the three placeholders a snippet may use without building them: `client`
 *   (an `HttpClient`), `request` (an `HttpClientRequest`) and `program` (an
 *   `Effect<void>`). Any other name a snippet uses must be defined in it. A
 *   snippet that uses `yield*` is put in the body of an `Effect.gen`.
 * - `@example fragment` (the word after the tag), or a ```ts-fragment fence,
 *   marks a fragment that is deliberately not checked.
 *
 * Errors are reported at the line they come from:
 * `docs/client.md:140:7 error TS2304: Cannot find name 'callUpstream'.`
 * `packages/core/src/Strategy.ts:175:1 error TS2304: ...`
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as url from "node:url"
import ts from "typescript"

const root = path.resolve(import.meta.dirname, "..")

/** One line's JSDoc examples: where its packages are, where its blocks go, what a snippet is checked with. */
interface Line {
  /** `packages` or `effect4`, relative to the root. */
  readonly dir: string
  readonly outDir: string
  /** The import of `HttpClient`, `HttpClientRequest` and `HttpClientResponse` on this line. */
  readonly http: string
  /** The packages a block resolves: `node_modules/<name>` -> an absolute directory. */
  readonly modules: () => ReadonlyArray<readonly [string, string]>
}

const effect3: Line = {
  dir: "packages",
  outDir: path.join(root, "build", "docs-check"),
  http: "@effect/platform",
  modules: () => []
}

const effect4: Line = {
  dir: "effect4",
  outDir: path.join(root, "build", "docs-check-effect4"),
  http: "effect/http",
  modules: () => [
    ["effect", path.join(root, "effect4", "node_modules", "effect")],
    ["@effect/platform-node", path.join(root, "effect4", "platform", "node_modules", "@effect", "platform-node")],
    ["@types/node", path.join(root, "effect4", "node_modules", "@types", "node")],
    ["@aio-request/kernel", path.join(root, "packages", "kernel")],
    ...["core", "platform", "opentelemetry"].map((pkg) =>
      [`@aio-request/${pkg}`, path.join(root, "effect4", pkg)] as const
    )
  ]
}

const outDir = effect3.outDir

/** The fence languages that are typechecked; anything else is not. */
const checkedLanguages = new Set(["ts", "typescript"])

export interface Block {
  /** Markdown or TypeScript file, relative to the root. */
  readonly source: string
  /** 1-based line of the first line of code (the line after the fence or tag). */
  readonly line: number
  readonly code: string
  /** Generated module, absolute. */
  readonly file: string
  /** Lines put before `code` in the generated module (a JSDoc snippet's prelude); none for Markdown. */
  readonly prefix?: ReadonlyArray<string>
}

/** README.md and docs/*.md, relative to the root. */
export const markdownFiles = (): ReadonlyArray<string> => {
  const docs = fs.readdirSync(path.join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => path.join("docs", name))
  const packages = fs.readdirSync(path.join(root, "packages"))
    .sort()
    .map((name) => path.join("packages", name, "README.md"))
    .filter((name) => fs.existsSync(path.join(root, name)))
  return ["README.md", ...docs, ...packages]
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

/** <line>/*\/src/**\/*.ts (packages/ or effect4/), relative to the root. */
export const sourceFiles = (dir = "packages"): ReadonlyArray<string> => {
  const files: Array<string> = []
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(relative)
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(relative)
    }
  }
  for (const pkg of fs.readdirSync(path.join(root, dir)).sort()) {
    if (fs.existsSync(path.join(root, dir, pkg, "src"))) walk(path.join(dir, pkg, "src"))
  }
  return files.sort()
}

/** The public modules of a package: `src/Name.ts`, re-exported by its index as `Name`. */
const publicModules = (dir: string, pkg: string): ReadonlyArray<string> => {
  const index = path.join(root, dir, pkg, "src", "index.ts")
  if (!fs.existsSync(index)) return []
  return Array.from(fs.readFileSync(index, "utf8").matchAll(/export \* as (\w+) from/g), (match) => match[1]!)
}

/** What a JSDoc snippet (an example without an import) is checked with. */
const prelude = (line: Line): ReadonlyArray<string> => {
  const packages = fs.readdirSync(path.join(root, line.dir)).sort()
  return [
    ...packages.flatMap((pkg) => {
      const names = publicModules(line.dir, pkg)
      return names.length === 0 ? [] : [`import { ${names.join(", ")} } from "@aio-request/${pkg}"`]
    }),
    "import { Config, Context, Duration, Effect, Exit, Layer, Metric, Option, pipe, Schedule, Stream } from \"effect\"",
    `import { HttpClient, HttpClientRequest, HttpClientResponse } from "${line.http}"`,
    "declare const client: HttpClient.HttpClient",
    "declare const request: HttpClientRequest.HttpClientRequest",
    "declare const program: Effect.Effect<void>"
  ]
}

/** Strips a JSDoc comment line to its text: ` * text` -> `text`. */
const commentText = (line: string): string => line.replace(/^\s*\*\/?\s?/, "").replace(/\s*\*\/\s*$/, "")

/**
 * Splits one TypeScript file into the code of its JSDoc `@example` tags,
 * fragments left out.
 */
export const extractExamples = (
  source: string,
  preludeLines: ReadonlyArray<string>,
  out = outDir
): ReadonlyArray<Block> => {
  const lines = fs.readFileSync(path.join(root, source), "utf8").split("\n")
  const blocks: Array<Block> = []
  const slug = source.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-")
  let inComment = false
  let example: { readonly line: number; readonly fragment: boolean; readonly body: Array<string> } | undefined
  const close = (): void => {
    if (example === undefined) return
    const current = example
    example = undefined
    let body = current.body
    let first = current.line
    let fragment = current.fragment
    const fence = body.findIndex((text) => /^(`{3,}|~{3,})/.test(text.trim()))
    if (fence >= 0) {
      const language = body[fence]!.trim().replace(/^[`~]+/, "").trim().toLowerCase()
      if (language === "ts-fragment" || language === "text") fragment = true
      const end = body.findIndex((text, index) => index > fence && /^(`{3,}|~{3,})\s*$/.test(text.trim()))
      if (end < 0) throw new Error(`${source}:${first + fence}: code fence is never closed`)
      first = first + fence + 1
      body = body.slice(fence + 1, end)
    }
    while (body.length > 0 && body[body.length - 1]!.trim() === "") body = body.slice(0, -1)
    if (fragment || body.every((text) => text.trim() === "")) return
    const code = body.join("\n")
    const own = /^\s*import\s/m.test(code)
    const generator = !own && /\byield\*/.test(code)
    blocks.push({
      source,
      line: first,
      code: generator ? `${code}\n})` : code,
      file: path.join(out, `${slug}-L${first}.ts`),
      prefix: own ? [] : [...preludeLines, ...(generator ? ["Effect.gen(function*() {"] : [])]
    })
  }
  lines.forEach((raw, index) => {
    const trimmed = raw.trim()
    if (!inComment) {
      // A one-line `/** ... */` holds no example.
      inComment = trimmed.startsWith("/**") && !(trimmed.length > 3 && trimmed.endsWith("*/"))
      return
    }
    const ends = trimmed.endsWith("*/")
    const text = commentText(raw)
    const tag = /^@(\w+)\s*(.*)$/.exec(text.trim())
    const inFence = example !== undefined &&
      example.body.filter((t) => /^(`{3,}|~{3,})/.test(t.trim())).length % 2 === 1
    if (tag !== null && !inFence) {
      close()
      if (tag[1] === "example") {
        // The rest of the tag's line is a caption, not code; `fragment` opts out.
        example = { line: index + 2, fragment: /^fragment\b/.test(tag[2]!), body: [] }
      }
    } else if (example !== undefined && !(ends && text.trim() === "")) {
      example.body.push(text)
    }
    if (ends) {
      close()
      inComment = false
    }
  })
  return blocks
}

const prepare = (line: Line, blocks: ReadonlyArray<Block>): void => {
  fs.rmSync(line.outDir, { recursive: true, force: true })
  fs.mkdirSync(line.outDir, { recursive: true })
  const modules = line.modules()
  if (modules.length === 0) {
    // Resolve packages as the examples package does (workspace links included).
    fs.symlinkSync(path.join(root, "examples", "node_modules"), path.join(line.outDir, "node_modules"), "dir")
  } else {
    for (const [name, target] of modules) {
      const link = path.join(line.outDir, "node_modules", name)
      fs.mkdirSync(path.dirname(link), { recursive: true })
      fs.symlinkSync(target, link, "dir")
    }
  }
  for (const block of blocks) {
    // `export {}` keeps every block a module of its own, so two blocks may
    // declare the same names; it goes on the last line to keep line numbers.
    fs.writeFileSync(block.file, [...(block.prefix ?? []), `${block.code}\nexport {}\n`].join("\n"))
  }
}

const compilerOptions = (out: string): ts.CompilerOptions => {
  const configPath = path.join(root, "tsconfig.base.json")
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p))
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, out, undefined, configPath)
  return {
    ...parsed.options,
    noEmit: true,
    // A documentation example may show a value it does not go on to use.
    noUnusedLocals: false,
    noUnusedParameters: false
  }
}

/** Compiles `blocks` together and reports each error at the line it comes from; the count of errors. */
const typecheck = (line: Line, blocks: ReadonlyArray<Block>): number => {
  prepare(line, blocks)
  const byFile = new Map(blocks.map((block) => [path.normalize(block.file), block]))
  const program = ts.createProgram(blocks.map((block) => block.file), compilerOptions(line.outDir))
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
        : line < (block.prefix?.length ?? 0)
        ? `${block.source}:${block.line}:1 (in the prelude)`
        : `${block.source}:${block.line + line - (block.prefix?.length ?? 0)}:${character + 1}`
      console.error(`${where} ${category} TS${diagnostic.code}: ${message}`)
    } else {
      console.error(`${category} TS${diagnostic.code}: ${message}`)
    }
  }
  return errors
}

const main = (): number => {
  const markdown = markdownFiles().flatMap(extract)
  const examples = sourceFiles(effect3.dir).flatMap((source) => extractExamples(source, prelude(effect3)))
  const examples4 = sourceFiles(effect4.dir).flatMap((source) =>
    extractExamples(source, prelude(effect4), effect4.outDir)
  )
  const errors = typecheck(effect3, [...markdown, ...examples]) + typecheck(effect4, examples4)
  const files = (list: ReadonlyArray<Block>) => new Set(list.map((block) => block.source)).size
  if (errors > 0) {
    console.error(
      `docs:check: ${errors} error(s) in the ts blocks of README.md and docs/*.md and the JSDoc examples of both lines`
    )
    return 1
  }
  console.log(
    `docs:check: ${markdown.length} ts blocks in ${files(markdown)} Markdown files, ` +
      `${examples.length} JSDoc examples in ${files(examples)} Effect 3 source files and ` +
      `${examples4.length} in ${files(examples4)} Effect 4 source files typecheck`
  )
  return 0
}

// Run as a script only: another script may import `markdownFiles` and `extract`.
if (process.argv[1] !== undefined && import.meta.url === url.pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main()
}
