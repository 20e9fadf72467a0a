import * as kernel from "@aio-request/kernel/validate"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import { isEffect } from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Construction-time checks shared by every module. An invalid option is a
 * programming error, so it is refused at once with an `IllegalArgumentException`
 * whose message names the constructor and the option. Public as `Options`
 * (src/Options.ts), which the other packages use. The checks on plain values
 * and the message are the kernel's (@aio-request/kernel/validate).
 */

/** @internal */
export const fail = (where: string, option: string, expected: string, got: unknown): never => {
  throw new Cause.IllegalArgumentError(kernel.message(where, option, expected, kernel.show(got, describe)))
}

/** Names the values only Effect knows. */
const describe = (u: unknown): string | undefined => {
  if (Duration.isDuration(u)) return Duration.format(u)
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
export const between = (
  where: string,
  option: string,
  value: number,
  min: number,
  max: number,
  inclusive: boolean
): number => check(where, option, value, kernel.between(value, min, max, inclusive))

/**
 * A finite number ≥ `min`.
 *
 * @internal
 */
export const finiteAtLeast = (where: string, option: string, value: number, min: number): number =>
  check(where, option, value, kernel.finiteAtLeast(value, min))

/**
 * A finite, non-negative duration (`positive: true` also refuses zero).
 *
 * @internal
 */
export const duration = (
  where: string,
  option: string,
  input: Duration.Input,
  options?: { readonly positive?: boolean | undefined; readonly allowInfinite?: boolean | undefined }
): Duration.Duration => {
  check(where, option, input, kernel.durationSign(input))
  const decoded = decode(input)
  if (Option.isNone(decoded)) return fail(where, option, "a duration", input)
  const d = decoded.value
  if (!Duration.isFinite(d) && options?.allowInfinite !== true) return fail(where, option, "a finite duration", input)
  if (options?.positive === true && Duration.toMillis(d) <= 0) return fail(where, option, "a positive duration", input)
  return d
}

/**
 * `Duration.fromInput`, which throws on some objects that are not durations
 * (one whose `Symbol.toStringTag` getter throws, one without a prototype):
 * those are not durations either.
 */
const decode = (input: unknown): Option.Option<Duration.Duration> => {
  try {
    return Duration.fromInput(input as Duration.Input)
  } catch {
    return Option.none()
  }
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
