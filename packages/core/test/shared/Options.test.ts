import { Options } from "@aio-request/line/core"
import { assert, describe, Duration, IllegalArgument, it, refused as message } from "@aio-request/line/testkit"

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
      assert.throws(() => Options.integer("W", "n", bad, 1), IllegalArgument)
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

  it("boolean, callable, string, oneOf, record: JavaScript callers get the option's name", () => {
    assert.isFalse(Options.boolean("W", "follow", false))
    assert.strictEqual(
      message(() => Options.boolean("W", "follow", "no" as any)),
      "W: option \"follow\" must be a boolean, got \"no\""
    )
    const f = () => 1
    assert.strictEqual(Options.callable("W", "f", f), f)
    assert.match(
      message(() => Options.callable("W", "f", {} as any)),
      /option "f" must be a function, got \[object Object\]/
    )
    assert.strictEqual(Options.string("W", "s", ""), "")
    assert.match(message(() => Options.string("W", "s", "", { nonEmpty: true })), /must be a non-empty string/)
    assert.match(message(() => Options.string("W", "s", 1 as any)), /must be a string, got 1/)
    assert.strictEqual(Options.oneOf("W", "p", "low", ["high", "low"]), "low")
    assert.strictEqual(
      message(() => Options.oneOf("W", "p", "urgent" as any, ["high", "low"])),
      "W: option \"p\" must be \"high\" or \"low\", got \"urgent\""
    )
    assert.deepStrictEqual(Options.record("W", "r", { a: 1 }), { a: 1 })
    for (const bad of [null, [], "x", 1]) assert.throws(() => Options.record("W", "r", bad as any), /must be an object/)
  })

  it("service: refuses {} and an effect where a service is expected", () => {
    const svc = { execute: () => 1 }
    assert.strictEqual(Options.service("W", "breaker", svc, "CircuitBreaker", ["execute"]), svc)
    assert.strictEqual(
      message(() => Options.service("W", "breaker", {}, "CircuitBreaker", ["execute"])),
      "W: option \"breaker\" must be a CircuitBreaker service (with execute), got [object Object]"
    )
    assert.throws(() => Options.service("W", "breaker", null, "CircuitBreaker", ["execute"]), /CircuitBreaker service/)
  })
})
