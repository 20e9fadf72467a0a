import { Options } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration } from "effect"

const message = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, Cause.IllegalArgumentException)
    return (e as Error).message
  }
  return assert.fail("expected an IllegalArgumentException")
}

describe("Options", () => {
  it("fail names the constructor and the option, and shows what it got", () => {
    assert.strictEqual(
      message(() => Options.fail("Cache.make", "mode", "\"lru\" or \"fifo\"", "random")),
      "Cache.make: option \"mode\" must be \"lru\" or \"fifo\", got \"random\""
    )
    assert.match(message(() => Options.fail("W", "o", "x", Duration.seconds(2))), /got 2s$/)
    assert.match(message(() => Options.fail("W", "o", "x", undefined)), /got undefined$/)
  })

  it("integer", () => {
    assert.strictEqual(Options.integer("W", "n", 3, 1), 3)
    assert.strictEqual(Options.integer("W", "n", 0, 0), 0)
    assert.strictEqual(message(() => Options.integer("W", "n", 0, 1)), "W: option \"n\" must be an integer >= 1, got 0")
    for (const bad of [1.5, Number.NaN, Infinity, "2" as any]) {
      assert.throws(() => Options.integer("W", "n", bad, 1), Cause.IllegalArgumentException)
    }
  })

  it("between, inclusive or not", () => {
    assert.strictEqual(Options.between("W", "p", 1, 0, 1, true), 1)
    assert.throws(() => Options.between("W", "p", 1, 0, 1, false), /must be a number in \(0, 1\), got 1/)
    assert.throws(() => Options.between("W", "p", Number.NaN, 0, 1, true), /must be a number in \[0, 1\]/)
  })

  it("duration: non-negative and finite by default; positive and allowInfinite", () => {
    assert.strictEqual(Duration.toMillis(Options.duration("W", "d", "2 seconds")), 2000)
    assert.strictEqual(Duration.toMillis(Options.duration("W", "d", 0)), 0)
    assert.throws(() => Options.duration("W", "d", -1), /must be a non-negative duration, got -1/)
    assert.throws(() => Options.duration("W", "d", BigInt(-1)), /non-negative/)
    assert.throws(() => Options.duration("W", "d", Number.NaN), /non-negative/)
    assert.throws(() => Options.duration("W", "d", "soon" as any), /must be a duration, got "soon"/)
    assert.throws(() => Options.duration("W", "d", Duration.infinity), /must be a finite duration/)
    assert.isFalse(Duration.isFinite(Options.duration("W", "d", Duration.infinity, { allowInfinite: true })))
    assert.throws(() => Options.duration("W", "d", 0, { positive: true }), /must be a positive duration, got 0/)
  })
})
