/**
 * Parsing the Prometheus text exposition format, for tests of both lines
 * (no `effect` import: shared tests and both lines' supports use it).
 */

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Scrape {
  readonly text: string
  readonly samples: ReadonlyArray<Sample>
  /** `# TYPE` lines: metric family name → type. */
  readonly types: ReadonlyMap<string, string>
  /** Samples of `name` whose labels include every entry of `labels`. */
  readonly find: (name: string, labels?: Readonly<Record<string, string>>) => ReadonlyArray<Sample>
  /** The value of the one sample of `name` matching `labels`, 0 when there is none. */
  readonly value: (name: string, labels?: Readonly<Record<string, string>>) => number
}

const unescape = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))

const parseLine = (line: string): Sample => {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line)
  if (match === null) throw new Error(`not a sample line: ${line}`)
  const labels: Record<string, string> = {}
  for (const label of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[label[1]!] = unescape(label[2]!)
  }
  const raw = match[3]!
  const value = raw === "+Inf" ? Number.POSITIVE_INFINITY : raw === "-Inf" ? Number.NEGATIVE_INFINITY : Number(raw)
  return { name: match[1]!, labels, value }
}

export const parse = (text: string): Scrape => {
  const samples: Array<Sample> = []
  const types = new Map<string, string>()
  for (const line of text.split("\n")) {
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ")
      types.set(name!, type!)
    } else if (line.length > 0 && !line.startsWith("#")) {
      samples.push(parseLine(line))
    }
  }
  const find = (name: string, labels: Readonly<Record<string, string>> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  const value = (name: string, labels: Readonly<Record<string, string>> = {}) => {
    const found = find(name, labels)
    if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
    return found[0]?.value ?? 0
  }
  return { text, samples, types, find, value }
}
