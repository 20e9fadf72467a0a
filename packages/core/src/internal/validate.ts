import * as kernelDuration from "@aio-request/kernel/duration"
import * as kernel from "@aio-request/kernel/validate"
import * as Duration from "effect/Duration"
import { isEffect } from "effect/Effect"
import * as Option from "effect/Option"
import type * as Options from "../Options.js"
import { decodeDuration, type DurationInput, illegalArgument } from "./line.js"

/**
 * Construction-time checks shared by every module. An invalid option is a
 * programming error, so it is refused at once with Effect's illegal-argument
 * error (`illegalArgument` of the line) whose message names the constructor and
 * the option. Public as `Options`
 * (src/Options.ts), which the other packages use. The checks on plain values
 * and the message are the kernel's (@aio-request/kernel/validate).
 */

/** @internal */
export const fail = (where: string, option: string, expected: string, got: unknown): never => {
  throw illegalArgument(kernel.message(where, option, expected, kernel.show(got, describe)))
}

/**
 * How a duration reads in every message of every package: `0ms`, `250ms`,
 * `1s 500ms`, `infinity` (the kernel's `format`).
 *
 * @internal
 */
export const formatDuration = (duration: Duration.Duration): string =>
  kernelDuration.format(Duration.toMillis(duration))

/** Names the values only Effect knows. */
const describe = (u: unknown): string | undefined => {
  if (Duration.isDuration(u)) return formatDuration(u)
  // the usual JavaScript slip: `make(...)` passed where the service it builds belongs
  if (isEffect(u)) return "an Effect (not run: yield* it first)"
  return undefined
}

/** `value` if `expected` is `undefined` (the kernel check passed), else the refusal. */
const check = <A>(where: string, option: string, value: A, expected: kernel.Expected): A =>
  expected === undefined ? value : fail(where, option, expected, value)

/** @internal */
export const integer = (where: string, option: string, value: number, min: number): number =>
  check(where, option, value, kernel.integer(value, min))

/** @internal */
export const between: typeof Options.between = (where, option, value, min, max, inclusive) =>
  check(where, option, value, kernel.between(value, min, max, inclusive))

/**
 * A finite number ≥ `min`.
 *
 * @internal
 */
export const finiteAtLeast = (where: string, option: string, value: number, min: number): number =>
  check(where, option, value, kernel.finiteAtLeast(value, min))

/**
 * A duration: decodable, at least zero and finite (`positive` also refuses
 * zero, `allowInfinite` accepts infinity). Negative inputs are refused however
 * written (`-1`, `"-1 seconds"`, `[-1, 0]`), where Effect 3 would read them as
 * zero, unless `clampNegative` (then they are zero). Every refusal of one
 * option reads the same (the kernel's `durationExpected`), with the value's
 * unit: `W: option "timeout" must be a finite duration > 0ms, got -1ms`.
 *
 * @internal
 */
export const duration = (
  where: string,
  option: string,
  input: DurationInput,
  options?: {
    readonly positive?: boolean | undefined
    readonly allowInfinite?: boolean | undefined
    readonly clampNegative?: boolean | undefined
  }
): Duration.Duration => {
  const rule: kernel.DurationRule = {
    positive: options?.positive === true,
    allowInfinite: options?.allowInfinite === true,
    clampNegative: options?.clampNegative === true
  }
  const before = kernel.durationInput(input, rule)
  if (before === "zero") return Duration.zero
  if (before === "decode") {
    const decoded = decodeDuration(input)
    if (Option.isSome(decoded) && kernel.durationMillis(Duration.toMillis(decoded.value), rule) === undefined) {
      return decoded.value
    }
  }
  throw illegalArgument(
    kernel.message(where, option, kernel.durationExpected(rule), kernel.showDuration(input, describe))
  )
}

/** @internal */
export const boolean = (where: string, option: string, value: boolean): boolean =>
  check(where, option, value, kernel.boolean(value))

/** @internal */
export const callable = <F extends (...args: ReadonlyArray<any>) => unknown>(
  where: string,
  option: string,
  value: F
): F => check(where, option, value, kernel.callable(value))

/** @internal */
export const string = (where: string, option: string, value: string, options?: {
  readonly nonEmpty?: boolean | undefined
}): string => check(where, option, value, kernel.string(value, options?.nonEmpty === true))

/** @internal */
export const oneOf = <A extends string | number | boolean>(
  where: string,
  option: string,
  value: A,
  allowed: ReadonlyArray<A>
): A => check(where, option, value, kernel.oneOf(value, allowed))

/** @internal */
export const service = <S>(
  where: string,
  option: string,
  value: S,
  name: string,
  members: ReadonlyArray<string>
): S => check(where, option, value, kernel.service(value, name, members))

/** @internal */
export const record = <R extends object>(where: string, option: string, value: R): R =>
  check(where, option, value, kernel.record(value))

/**
 * An optional option bag: `undefined`, or a plain object.
 *
 * @internal
 */
export const optionsBag = <R extends object>(where: string, options: R | undefined): R | undefined =>
  options === undefined ? undefined : record(where, "options", options)
