/**
 * Construction-time checks for option bags, the ones every module of every
 * aio-request package uses. An invalid option is a programming error, so it is
 * refused at once: each check throws Effect's illegal-argument error
 * (`Cause.IllegalArgumentException` on Effect 3, `Cause.IllegalArgumentError`
 * on Effect 4) whose message names the constructor and the option:
 *
 * `Name.make: option "timeout" must be a finite duration > 0ms, got 0ms`
 *
 * Use them in your own constructors to report bad options the same way.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type { DurationInput } from "./internal/line.js"
import * as internal from "./internal/validate.js"

/**
 * Throws Effect's illegal-argument error saying that option `option` of
 * `where` must be `expected` and showing what it `got` (strings quoted,
 * durations formatted, an `Effect` named as one: the usual slip of passing
 * `make(...)` un-yielded where the service belongs).
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * const checkOnEvent = (options: { readonly onEvent?: unknown }) => {
 *   if (typeof options.onEvent !== "function") {
 *     Options.fail("Audit.make", "onEvent", "a function", options.onEvent)
 *   }
 * }
 * // checkOnEvent({ onEvent: "yes" }) throws:
 * // Audit.make: option "onEvent" must be a function, got "yes"
 * @since 0.1.0
 * @category validation
 */
export const fail: (where: string, option: string, expected: string, got: unknown) => never = internal.fail

/**
 * An integer `>= min`, returned as is; anything else (`NaN`, fractions,
 * infinities, non-numbers) throws.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly attempts?: number }
 * const attempts = Options.integer("Audit.make", "attempts", options.attempts ?? 3, 1)
 * @since 0.1.0
 * @category validation
 */
export const integer: (where: string, option: string, value: number, min: number) => number = internal.integer

/**
 * A number in `[min, max]` (`inclusive: true`) or `(min, max)`
 * (`inclusive: false`), returned as is; `NaN` and non-numbers throw.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly jitter?: number }
 * const jitter = Options.between("Audit.make", "jitter", options.jitter ?? 0.2, 0, 1, true)
 * @since 0.1.0
 * @category validation
 */
export const between: (
  where: string,
  option: string,
  value: number,
  min: number,
  max: number,
  inclusive: boolean
) => number = internal.between

/**
 * A duration, decoded: at least zero and finite; `positive` also refuses
 * zero, `allowInfinite` accepts infinity. A negative or `NaN` duration is
 * refused however it is written (`-1`, `"-1 seconds"`, `[-1, 0]`, `-1n`),
 * where Effect's own decoding would read it as zero, and so is anything
 * that does not decode. Every refusal of one option reads the same, the
 * value shown with its unit (a number is milliseconds): `must be a finite
 * duration >= 0ms`, `a finite duration > 0ms`, `a duration >= 0ms` or
 * `a duration > 0ms` (with `allowInfinite`).
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly ttl?: number | `${number} seconds` }
 * const ttl = Options.duration("Audit.make", "ttl", options.ttl ?? "10 seconds", { positive: true })
 * // Options.duration("Audit.make", "ttl", -1) throws:
 * // Audit.make: option "ttl" must be a finite duration >= 0ms, got -1ms
 * @since 0.1.0
 * @category validation
 */
export const duration: (
  where: string,
  option: string,
  input: DurationInput,
  options?: Options.DurationOptions
) => Duration.Duration = internal.duration

/**
 * A boolean, returned as is; JavaScript callers passing `"no"` or `0` are
 * refused rather than read as truthy or falsy.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly followRedirects?: boolean }
 * const follow = Options.boolean("Audit.make", "followRedirects", options.followRedirects ?? true)
 * @since 0.1.0
 * @category validation
 */
export const boolean: (where: string, option: string, value: boolean) => boolean = internal.boolean

/**
 * A function, returned as is.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly onEvent: (event: string) => void }
 * const onEvent = Options.callable("Audit.make", "onEvent", options.onEvent)
 * @since 0.1.0
 * @category validation
 */
export const callable: <F extends (...args: ReadonlyArray<any>) => unknown>(
  where: string,
  option: string,
  value: F
) => F = internal.callable

/**
 * A string (`nonEmpty` also refuses `""`), returned as is.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly name: string }
 * const name = Options.string("Audit.make", "name", options.name, { nonEmpty: true })
 * @since 0.1.0
 * @category validation
 */
export const string: (
  where: string,
  option: string,
  value: string,
  options?: { readonly nonEmpty?: boolean | undefined }
) => string = internal.string

/**
 * One of `allowed`, returned as is.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly priority: "high" | "normal" | "low" }
 * const priority = Options.oneOf("Audit.make", "priority", options.priority, ["high", "normal", "low"])
 * @since 0.1.0
 * @category validation
 */
export const oneOf: <A extends string | number | boolean>(
  where: string,
  option: string,
  value: A,
  allowed: ReadonlyArray<A>
) => A = internal.oneOf

/**
 * A service value: an object with every one of `members` defined. Catches a
 * JavaScript caller passing `{}`, or an un-yielded `CircuitBreaker.make(...)`
 * (an `Effect`, not the service), at construction instead of at the first call.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly circuitBreaker: unknown }
 * const breaker = Options.service("Audit.make", "circuitBreaker", options.circuitBreaker, "CircuitBreaker", ["execute"])
 * // Audit.make: option "circuitBreaker" must be a CircuitBreaker service (with execute), got [object Object]
 * @since 0.1.0
 * @category validation
 */
export const service: <S>(
  where: string,
  option: string,
  value: S,
  name: string,
  members: ReadonlyArray<string>
) => S = internal.service

/**
 * A plain object (not `null`, not an array), returned as is.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * declare const options: { readonly shares?: Record<string, number> }
 * const shares = Options.record("Audit.make", "shares", options.shares ?? {})
 * @since 0.1.0
 * @category validation
 */
export const record: <R extends object>(where: string, option: string, value: R) => R = internal.record

/**
 * @since 0.1.0
 */
export declare namespace Options {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface DurationOptions {
    /** Also refuse zero. Default: `false`. */
    readonly positive?: boolean | undefined
    /** Accept `Duration.infinity`. Default: `false`. */
    readonly allowInfinite?: boolean | undefined
  }
}
