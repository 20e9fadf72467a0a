/**
 * Glue written once for both Effect lines.
 *
 * A glue file whose text is the same on Effect 3 and Effect 4 is written once, in the
 * Effect 3 package (`packages/<pkg>/src/...`), and listed in `effect4/lines.json`. What
 * differs between the lines (a renamed function, a type's name) is named in each
 * package's own `src/internal/line.ts`, which the shared file imports relatively.
 * This script copies every listed file to the same path under `effect4/<pkg>/`, where
 * `effect` resolves to Effect 4, with a header naming its source; the only change to
 * the text is `@since 0.x.y` -> `@since 1.0.0` (each line's own version). The copies
 * are not committed: `effect4/.gitignore` (written by this script) lists them.
 *
 *   node scripts/lines.mjs           copy (idempotent; run by `postinstall`, `build`,
 *                                    `check:effect4`, `test:effect4`, `cycles`, `lint`, `pack:all`)
 *   node scripts/lines.mjs --check   fail when a copy is missing or stale, when a listed
 *                                    file is committed under effect4/, or when
 *                                    effect4/.gitignore does not match the list
 *
 * No dependencies: it runs before anything else is installed.
 */
import { execFileSync } from "node:child_process"
import console from "node:console"
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const manifestFile = join(root, "effect4", "lines.json")
const ignoreFile = join(root, "effect4", ".gitignore")

/** @type {{ files: ReadonlyArray<string> }} */
const manifest = JSON.parse(readFileSync(manifestFile, "utf8"))
const files = [...manifest.files].sort()

const header = (source) =>
  `// Written once in ${source} for both Effect lines; edit it there, not here.\n` +
  `// Copied by scripts/lines.mjs (see docs/architecture.md, "Glue written once").\n`

/** The Effect 4 copy of the text of `packages/<file>`. */
const copyOf = (file, text) => header(`packages/${file}`) + text.replace(/@since 0\.\d+\.\d+/g, "@since 1.0.0")

const ignoreText = () =>
  "# Written by scripts/lines.mjs from effect4/lines.json: copies of glue written once in packages/.\n" +
  files.map((file) => `/${file}\n`).join("")

const problems = []
const check = process.argv.includes("--check")

for (const file of files) {
  const source = join(root, "packages", file)
  const target = join(root, "effect4", file)
  if (!existsSync(source)) {
    problems.push(`effect4/lines.json lists ${file}, but packages/${file} does not exist`)
    continue
  }
  const wanted = copyOf(file, readFileSync(source, "utf8"))
  const current = existsSync(target) ? readFileSync(target, "utf8") : undefined
  if (current === wanted) continue
  if (check) {
    problems.push(`effect4/${file} is ${current === undefined ? "missing" : "stale"}: run node scripts/lines.mjs`)
  } else {
    mkdirSync(dirname(target), { recursive: true })
    if (current !== undefined) rmSync(target, { force: true })
    writeFileSync(target, wanted)
    // read-only: an edit belongs in the source
    chmodSync(target, 0o444)
  }
}

if ((existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : "") !== ignoreText()) {
  if (check) problems.push("effect4/.gitignore does not match effect4/lines.json: run node scripts/lines.mjs")
  else writeFileSync(ignoreFile, ignoreText())
}

if (check) {
  let tracked = []
  try {
    tracked = execFileSync("git", ["ls-files", "--", ...files.map((file) => `effect4/${file}`)], {
      cwd: root,
      encoding: "utf8"
    }).split("\n").filter((line) => line !== "")
  } catch {
    // not a git checkout (an unpacked tarball): nothing to check
  }
  for (const file of tracked) {
    problems.push(`${file} is a copy (effect4/lines.json) but is committed: git rm --cached it`)
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`lines: ${problem}`)
  process.exit(1)
}
if (check) console.log(`lines: ${files.length} glue files written once, their Effect 4 copies up to date`)
