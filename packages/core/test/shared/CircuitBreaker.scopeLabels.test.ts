/**
 * Issue 21 item 10: the transitions counter keeps a series per `scope` label
 * it ever saw (Effect's registry forgets none), so each breaker labels at most
 * `maxScopeLabels` scopes by name and counts the others under "<other>".
 */
import { CircuitBreaker } from "@aio-request/line/core"
import { assert, counterCount, counterSeries, describe, Effect, Exit, it, TestClock } from "@aio-request/line/testkit"

const name = "aio_request_circuit_breaker_transitions"

/** Every transitions series: its scope, from and to, and its count. */
const series = Effect.map(counterSeries(name), (all) =>
  all.map(({ count, labels }) => ({
    scope: labels.scope ?? "",
    from: labels.from ?? "",
    to: labels.to ?? "",
    count
  })))

/** The count under scope="<other>" for one kind of transition. */
const other = (from: string, to: string) => counterCount(CircuitBreaker.transitions, { scope: "<other>", from, to })

let unique = 0

describe("CircuitBreaker.transitions: a bounded scope label", () => {
  it.effect("more scopes than maxScopeLabels: at most maxScopeLabels + 1 scope values, nothing lost", () =>
    Effect.gen(function*() {
      const prefix = `labels-${unique++}-`
      const bound = 5
      const scopes = 40
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 second",
        samplingDuration: "10 seconds",
        minimumThroughput: 1,
        failureThreshold: 0.5,
        maxScopeLabels: bound
      })
      const otherBefore = yield* other("closed", "open")
      const closedBefore = yield* other("half-open", "closed")
      for (let i = 0; i < scopes; i++) {
        yield* Effect.exit(breaker.execute(`${prefix}${i}`, Effect.fail("boom"), Exit.isFailure)) // closed → open
      }
      yield* TestClock.adjust("1 second")
      for (let i = 0; i < scopes; i++) {
        // open → half-open → closed
        yield* Effect.exit(breaker.execute(`${prefix}${i}`, Effect.succeed("ok"), Exit.isFailure))
      }
      const mine = (yield* series).filter((s) => s.scope.startsWith(prefix))
      const named = new Set(mine.map((s) => s.scope))
      assert.deepStrictEqual([...named].sort(), Array.from({ length: bound }, (_, i) => `${prefix}${i}`).sort())
      // every transition is still counted: the named ones once each, the rest under "<other>"
      assert.strictEqual(mine.filter((s) => s.from === "closed" && s.to === "open").length, bound)
      assert.isTrue(mine.every((s) => s.count === 1))
      const overflowed = (yield* other("closed", "open")) - otherBefore
      assert.strictEqual(overflowed, scopes - bound)
      assert.strictEqual((yield* other("half-open", "closed")) - closedBefore, scopes - bound)
      // so the scope values this breaker gave the counter: bound + 1 of 40
      const values = new Set([...named, ...(overflowed > 0 ? ["<other>"] : [])])
      assert.strictEqual(values.size, bound + 1)
    }))

  it.effect("maxScopeLabels: 0 counts every scope under <other>; the default names the first 100", () =>
    Effect.gen(function*() {
      const prefix = `labels-${unique++}-`
      const options = {
        breakDuration: "1 second",
        samplingDuration: "10 seconds",
        minimumThroughput: 1,
        failureThreshold: 0.5
      } as const
      const none = yield* CircuitBreaker.make({ ...options, maxScopeLabels: 0 })
      const before = yield* other("closed", "open")
      yield* Effect.exit(none.execute(`${prefix}none`, Effect.fail("boom"), Exit.isFailure))
      assert.strictEqual((yield* other("closed", "open")) - before, 1)
      const byDefault = yield* CircuitBreaker.make(options)
      for (let i = 0; i < 101; i++) {
        yield* Effect.exit(byDefault.execute(`${prefix}d${i}`, Effect.fail("boom"), Exit.isFailure))
      }
      const named = (yield* series).filter((s) => s.scope.startsWith(`${prefix}d`))
      assert.strictEqual(named.length, 100)
      assert.isFalse((yield* series).some((s) => s.scope === `${prefix}none`))
    }))

  it("maxScopeLabels is an integer >= 0", () => {
    const options = {
      breakDuration: "1 second",
      samplingDuration: "1 second",
      minimumThroughput: 1,
      failureThreshold: 0.5
    } as const
    for (const bad of [-1, 1.5, Number.NaN, "5"]) {
      assert.throws(
        () => CircuitBreaker.make({ ...options, maxScopeLabels: bad as number }),
        /^CircuitBreaker\.make: option "maxScopeLabels" must be an integer >= 0, got /
      )
    }
  })
})
