/**
 * Construction-time checks for option bags, the ones every module of every
 * aio-request package uses. An invalid option is a programming error, so it is
 * refused at once: each check throws a `Cause.IllegalArgumentException` whose
 * message names the constructor and the option:
 *
 * `Name.make: option "timeout" must be a positive duration, got 0`
 *
 * Use them in your own constructors to report bad options the same way.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as internal from "./internal/validate.js"

/**
 * Throws a `Cause.IllegalArgumentException` saying that option `option` of
 * `where` must be `expected` and showing what it `got` (strings quoted,
 * durations formatted).
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * if (typeof options.onEvent !== "function") {
 *   Options.fail("Audit.make", "onEvent", "a function", options.onEvent)
 * }
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
 * A duration, decoded: refuses negative numbers and bigints, `NaN`, anything
 * that does not decode, and infinity unless `allowInfinite`; `positive` also
 * refuses zero.
 *
 * @example
 * import { Options } from "@aio-request/core"
 *
 * const ttl = Options.duration("Audit.make", "ttl", options.ttl ?? "10 seconds", { positive: true })
 * // Options.duration("Audit.make", "ttl", -1) throws:
 * // Audit.make: option "ttl" must be a non-negative duration, got -1
 * @since 0.1.0
 * @category validation
 */
export const duration: (
  where: string,
  option: string,
  input: Duration.DurationInput,
  options?: Options.DurationOptions
) => Duration.Duration = internal.duration

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
