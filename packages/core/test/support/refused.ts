import { assert } from "@effect/vitest"
import { Cause } from "effect"

/** The message of the `IllegalArgumentException` that `f` throws (fails the test if it throws nothing else). */
export const refused = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, Cause.IllegalArgumentException)
    return (e as Error).message
  }
  return assert.fail("expected an IllegalArgumentException")
}
