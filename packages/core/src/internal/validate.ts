import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
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
  if (Duration.isDuration(u)) return Duration.format(u)
  return Object.prototype.toString.call(u)
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
