import { assert, refused } from "@aio-request/line/testkit"

/**
 * The values every duration option is tried with, and how each reads in the
 * refusal: a number is milliseconds, a string as given.
 */
export const badDurations: ReadonlyArray<readonly [value: unknown, shown: string]> = [
  [-1, "-1ms"],
  ["-1 seconds", "\"-1 seconds\""],
  [Number.NaN, "NaN"],
  [Number.POSITIVE_INFINITY, "Infinity"]
]

/**
 * Asserts the refusal of each bad duration given to `option` of `where`
 * through `f`, word for word: `${where}: option "${option}" must be
 * ${expected}, got ${shown}`. Infinity is refused only by a finite option
 * (`expected` starts with "a finite"); otherwise `f(Infinity)` must be
 * accepted.
 */
export const assertDurationOption = (
  where: string,
  option: string,
  expected: string,
  f: (value: any) => unknown
): void => {
  for (const [value, shown] of badDurations) {
    if (value === Number.POSITIVE_INFINITY && !expected.startsWith("a finite")) {
      f(value)
      continue
    }
    assert.strictEqual(
      refused(() => f(value)),
      `${where}: option "${option}" must be ${expected}, got ${shown}`,
      `${where} ${option} ${String(value)}`
    )
  }
}
