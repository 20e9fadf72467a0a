import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import { isEffect } from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Construction-time checks shared by every module. An invalid option is a
 * programming error, so it is refused at once with an `IllegalArgumentException`
 * whose message names the constructor and the option. Public as `Options`
 * (src/Options.ts), which the other packages use.
 */

/** @internal */
export const fail = (where: string, option: string, expected: string, got: unknown): never => {
  throw new Cause.IllegalArgumentException(`${where}: option "${option}" must be ${expected}, got ${show(got)}`)
}

const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "number" || typeof u === "bigint" || typeof u === "boolean" || u == null) return String(u)
  // a value may throw when read (a Symbol.toStringTag getter, a proxy): the refusal must not
  try {
    if (Duration.isDuration(u)) return Duration.format(u)
    // the usual JavaScript slip: `make(...)` passed where the service it builds belongs
    if (isEffect(u)) return "an Effect (not run: yield* it first)"
    if (Array.isArray(u)) return "an array"
    if (typeof u === "function") return "a function"
    return Object.prototype.toString.call(u)
  } catch {
    return `a ${typeof u} that cannot be shown`
  }
}

/** @internal */
export const integer = (where: string, option: string, value: number, min: number): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    return fail(where, option, `an integer >= ${min}`, value)
  }
  return value
}

/** @internal */
export const between = (
  where: string,
  option: string,
  value: number,
  min: number,
  max: number,
  inclusive: boolean
): number => {
  const ok = typeof value === "number" && !Number.isNaN(value) &&
    (inclusive ? value >= min && value <= max : value > min && value < max)
  if (!ok) {
    return fail(where, option, inclusive ? `a number in [${min}, ${max}]` : `a number in (${min}, ${max})`, value)
  }
  return value
}

/**
 * A finite, non-negative duration (`positive: true` also refuses zero).
 *
 * @internal
 */
export const duration = (
  where: string,
  option: string,
  input: Duration.DurationInput,
  options?: { readonly positive?: boolean | undefined; readonly allowInfinite?: boolean | undefined }
): Duration.Duration => {
  if (typeof input === "number" && (Number.isNaN(input) || input < 0)) {
    return fail(where, option, "a non-negative duration", input)
  }
  if (typeof input === "bigint" && input < BigInt(0)) {
    return fail(where, option, "a non-negative duration", input)
  }
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded)) return fail(where, option, "a duration", input)
  const d = decoded.value
  if (!Duration.isFinite(d) && options?.allowInfinite !== true) return fail(where, option, "a finite duration", input)
  if (options?.positive === true && Duration.toMillis(d) <= 0) return fail(where, option, "a positive duration", input)
  return d
}

/** @internal */
export const boolean = (where: string, option: string, value: boolean): boolean => {
  if (typeof value !== "boolean") return fail(where, option, "a boolean", value)
  return value
}

/** @internal */
export const callable = <F extends (...args: ReadonlyArray<any>) => unknown>(
  where: string,
  option: string,
  value: F
): F => {
  if (typeof value !== "function") return fail(where, option, "a function", value)
  return value
}

/** @internal */
export const string = (where: string, option: string, value: string, options?: {
  readonly nonEmpty?: boolean | undefined
}): string => {
  if (typeof value !== "string") return fail(where, option, "a string", value)
  if (options?.nonEmpty === true && value.length === 0) return fail(where, option, "a non-empty string", value)
  return value
}

/** @internal */
export const oneOf = <A extends string | number | boolean>(
  where: string,
  option: string,
  value: A,
  allowed: ReadonlyArray<A>
): A => {
  if (!allowed.includes(value)) {
    return fail(
      where,
      option,
      allowed.map((a) => typeof a === "string" ? JSON.stringify(a) : String(a)).join(" or "),
      value
    )
  }
  return value
}

/** @internal */
export const service = <S>(
  where: string,
  option: string,
  value: S,
  name: string,
  members: ReadonlyArray<string>
): S => {
  const ok = typeof value === "object" && value !== null &&
    members.every((m) => (value as Record<string, unknown>)[m] !== undefined)
  if (!ok) return fail(where, option, `a ${name} service (with ${members.join(", ")})`, value)
  return value
}

/** @internal */
export const record = <R extends object>(where: string, option: string, value: R): R => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(where, option, "an object", value)
  }
  return value
}

/**
 * An optional option bag: `undefined`, or a plain object.
 *
 * @internal
 */
export const optionsBag = <R extends object>(where: string, options: R | undefined): R | undefined =>
  options === undefined ? undefined : record(where, "options", options)
