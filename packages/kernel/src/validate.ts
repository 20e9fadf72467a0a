/**
 * Checks on option values that are plain numbers, strings, functions and
 * records, and the message that refuses one. Each check returns `undefined`
 * for a valid value, or what was expected ("an integer >= 1"); the glue turns
 * that into its own error (core: `IllegalArgumentException`), naming the
 * constructor and the option with `message`.
 */

/** What a check found: `undefined` when the value is valid, otherwise what was expected. */
export type Expected = string | undefined

/** `${where}: option "${option}" must be ${expected}, got ${shown}`. */
export const message = (where: string, option: string, expected: string, shown: string): string =>
  `${where}: option "${option}" must be ${expected}, got ${shown}`

/**
 * How a refused value reads in the message. `describe` may name objects the
 * glue knows (a Duration, an Effect) and returns `undefined` for the others.
 * Never throws: a value that throws when read (a getter, a proxy) reads as
 * "a <type> that cannot be shown".
 */
export const show = (u: unknown, describe?: (u: unknown) => string | undefined): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "number" || typeof u === "bigint" || typeof u === "boolean" || u == null) return String(u)
  try {
    const described = describe?.(u)
    if (described !== undefined) return described
    if (Array.isArray(u)) return "an array"
    if (typeof u === "function") return "a function"
    return Object.prototype.toString.call(u)
  } catch {
    return `a ${typeof u} that cannot be shown`
  }
}

/** An integer ≥ `min`. */
export const integer = (value: unknown, min: number): Expected =>
  typeof value !== "number" || !Number.isInteger(value) || value < min ? `an integer >= ${min}` : undefined

/** A number in [min, max] (`inclusive`) or (min, max). */
export const between = (value: unknown, min: number, max: number, inclusive: boolean): Expected => {
  const ok = typeof value === "number" && !Number.isNaN(value) &&
    (inclusive ? value >= min && value <= max : value > min && value < max)
  if (ok) return undefined
  return inclusive ? `a number in [${min}, ${max}]` : `a number in (${min}, ${max})`
}

/** A finite number ≥ `min`. */
export const finiteAtLeast = (value: unknown, min: number): Expected =>
  typeof value === "number" && Number.isFinite(value) && value >= min ? undefined : `a finite number >= ${min}`

/** A duration given as a number or a bigint must not be negative (nor NaN); other inputs pass. */
export const durationSign = (value: unknown): Expected => {
  if (typeof value === "number" && (Number.isNaN(value) || value < 0)) return "a non-negative duration"
  if (typeof value === "bigint" && value < BigInt(0)) return "a non-negative duration"
  return undefined
}

/** A boolean. */
export const boolean = (value: unknown): Expected => typeof value === "boolean" ? undefined : "a boolean"

/** A function. */
export const callable = (value: unknown): Expected => typeof value === "function" ? undefined : "a function"

/** A string (`nonEmpty`: with at least one character). */
export const string = (value: unknown, nonEmpty: boolean): Expected => {
  if (typeof value !== "string") return "a string"
  return nonEmpty && value.length === 0 ? "a non-empty string" : undefined
}

/** One of `allowed`. */
export const oneOf = <A extends string | number | boolean>(value: unknown, allowed: ReadonlyArray<A>): Expected =>
  allowed.includes(value as A)
    ? undefined
    : allowed.map((a) => typeof a === "string" ? JSON.stringify(a) : String(a)).join(" or ")

/** An object with every one of `members` defined: a service called `name`. */
export const service = (value: unknown, name: string, members: ReadonlyArray<string>): Expected => {
  const ok = typeof value === "object" && value !== null &&
    members.every((m) => (value as Record<string, unknown>)[m] !== undefined)
  return ok ? undefined : `a ${name} service (with ${members.join(", ")})`
}

/** A plain object (not null, not an array). */
export const record = (value: unknown): Expected =>
  typeof value !== "object" || value === null || Array.isArray(value) ? "an object" : undefined
