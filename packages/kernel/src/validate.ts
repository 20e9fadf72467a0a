/**
 * Checks on option values that are plain numbers, strings, functions and
 * records, and the message that refuses one. Each check returns `undefined`
 * for a valid value, or what was expected ("an integer >= 1"); the glue turns
 * that into its own error (core: `IllegalArgumentException`), naming the
 * constructor and the option with `message`. Durations: one rule
 * (`DurationRule`), one wording (`durationExpected`), and the refused value
 * with its unit (`showDuration`).
 */

import * as duration from "./duration.js"

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

/**
 * The rule of a duration option. Every duration is at least zero and finite;
 * `positive` also refuses zero, `allowInfinite` accepts infinity, and
 * `clampNegative` reads a negative one as zero instead of refusing it (for
 * the arguments documented so, such as a timeout that is already over).
 */
export interface DurationRule {
  readonly positive: boolean
  readonly allowInfinite: boolean
  readonly clampNegative: boolean
}

/**
 * What a duration option expects, one wording for every refusal whatever
 * the value (negative, NaN, zero, infinite, not a duration):
 * `a finite duration >= 0ms`, `a finite duration > 0ms`, and with
 * `allowInfinite` (infinity is a duration) `a duration >= 0ms`,
 * `a duration > 0ms`; with `clampNegative`, `a duration` (`a finite
 * duration`).
 */
export const durationExpected = (rule: DurationRule): string => {
  const kind = rule.allowInfinite ? "a duration" : "a finite duration"
  return rule.clampNegative && !rule.positive ? kind : `${kind} ${rule.positive ? ">" : ">="} 0ms`
}

/**
 * The check of a duration given as a plain value, before the glue decodes it:
 * `"refuse"` (NaN, or negative unless `clampNegative`), `"zero"` (negative,
 * read as zero), or `"decode"` (the glue decodes it, then checks the result
 * with `durationMillis`).
 */
export const durationInput = (value: unknown, rule: DurationRule): "refuse" | "zero" | "decode" => {
  const found = duration.sign(value)
  if (found === "nan") return "refuse"
  if (found === "negative") return rule.clampNegative ? "zero" : "refuse"
  return "decode"
}

/** The check of a decoded duration of `millis` (never negative): infinity and zero as the rule says. */
export const durationMillis = (millis: number, rule: DurationRule): Expected =>
  (millis === Infinity && !rule.allowInfinite) || (millis <= 0 && rule.positive) ? durationExpected(rule) : undefined

/**
 * How a refused duration reads in the message, with its unit: a number as
 * milliseconds (`-1ms`; `NaN` and `Infinity` as they are), a bigint as
 * nanoseconds (`-1ns`), a `[seconds, nanos]` pair as `[-1s, 0ns]`, anything
 * else as `show` shows it (a string as given, quoted: `"-1 seconds"`).
 */
export const showDuration = (u: unknown, describe?: (u: unknown) => string | undefined): string => {
  if (typeof u === "number") return Number.isFinite(u) ? `${u}ms` : String(u)
  if (typeof u === "bigint") return `${u}ns`
  if (Array.isArray(u) && u.length === 2 && typeof u[0] === "number" && typeof u[1] === "number") {
    return `[${u[0]}s, ${u[1]}ns]`
  }
  return show(u, describe)
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
