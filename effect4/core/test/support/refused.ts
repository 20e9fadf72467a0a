import { assert } from "@effect/vitest"
import { Cause } from "effect"

/** The message of the `IllegalArgumentError` that `f` throws (fails the test if it throws nothing else). */
export const refused = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, Cause.IllegalArgumentError)
    return (e as Error).message
  }
  return assert.fail("expected an IllegalArgumentError")
}
