/**
 * The delay formulas behind `Delays`: linear, exponential (capped) and the
 * jitter that spreads them, given a uniform random number. Millis in, millis
 * out; the glue draws the number and builds the Duration.
 */

/** `min + attempt × multiplier`. */
export const linear = (min: number, multiplier: number, attempt: number): number => min + attempt * multiplier

/** `base × factor^(attempt − 1)` (attempt 0 counts as 1), at most `max`. */
export const exponential = (base: number, factor: number, max: number, attempt: number): number =>
  Math.min(max, base * Math.pow(factor, Math.max(0, attempt - 1)))

/** Whether `jitter` would change `millis` (so a random number is needed at all). */
export const isJittered = (millis: number, jitter: number): boolean => jitter !== 0 && millis !== 0

/**
 * millis ± millis·u·jitter, u uniform in [0, 1), the sign a fair coin
 * *(seed)*, never below 0. Both come from one draw `v` in [0, 1): the coin is
 * v ≥ 0.5, u is v rescaled within its half (one random step instead of two:
 * this runs for every hedge and retry).
 */
export const jitter = (millis: number, jitter: number, v: number): number => {
  const plus = v >= 0.5
  const u = plus ? (v - 0.5) * 2 : v * 2
  return Math.max(0, plus ? millis + millis * u * jitter : millis - millis * u * jitter)
}
