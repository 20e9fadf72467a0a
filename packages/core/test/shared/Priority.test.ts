import { Priority } from "@aio-request/line/core"
import { assert, describe, Effect, it, Option } from "@aio-request/line/testkit"

describe("Priority", () => {
  it("parse ignores case and surrounding spaces; anything else is none", () => {
    assert.deepStrictEqual(Priority.parse("HIGH"), Option.some("high"))
    assert.deepStrictEqual(Priority.parse(" low "), Option.some("low"))
    assert.deepStrictEqual(Priority.parse("Normal"), Option.some("normal"))
    assert.deepStrictEqual(Priority.parse(""), Option.none())
    assert.deepStrictEqual(Priority.parse("urgent"), Option.none())
    assert.deepStrictEqual(Priority.parse("hi gh"), Option.none())
    assert.deepStrictEqual(Priority.parse(undefined), Option.none())
  })

  it("normalize follows the seed's table", () => {
    const table: ReadonlyArray<readonly [Priority.Priority, Option.Option<Priority.Priority>, Priority.Priority]> = [
      ["low", Option.some("high"), "normal"],
      ["normal", Option.some("high"), "normal"],
      ["high", Option.some("high"), "high"],
      ["high", Option.some("low"), "normal"],
      ["normal", Option.some("low"), "normal"],
      ["low", Option.some("low"), "low"],
      ["high", Option.some("normal"), "high"],
      ["normal", Option.some("normal"), "normal"],
      ["low", Option.some("normal"), "low"],
      ["high", Option.none(), "high"],
      ["normal", Option.none(), "normal"],
      ["low", Option.none(), "low"]
    ]
    for (const [requested, inherited, expected] of table) {
      assert.strictEqual(Priority.normalize(requested, inherited), expected, `${requested} under ${String(inherited)}`)
      assert.strictEqual(Priority.normalize(inherited)(requested), expected)
    }
  })

  it.effect("withPriority sets CurrentPriority (none by default)", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Priority.CurrentPriority, Option.none())
      const inside = yield* Priority.CurrentPriority.pipe(Priority.withPriority("high"))
      assert.deepStrictEqual(inside, Option.some("high"))
    }))
})
