/**
 * The server middleware's trust, on both lines, over loopback HTTP: whose priority and
 * deadline headers are believed, the untrusted caps, the options refused, and the slow-body
 * rule under a concurrency limit (on the TestClock: a trusted sender holds its slot to its
 * deadline, an untrusted one to the smaller cap).
 */
import { ConcurrencyLimit, Deadline, Priority } from "@aio-request/line/core"
import { ServerMiddleware } from "@aio-request/line/platform"
import {
  assert,
  Deferred,
  describe,
  Duration,
  Effect,
  it,
  refused,
  serveBehind,
  TestClock
} from "@aio-request/line/platform-testkit"
import { send, slowPost } from "./support/raw.js"

/** What the handler saw: its priority and the whole milliseconds left before its deadline. */
const seen = Effect.gen(function*() {
  const priority = yield* Priority.CurrentPriority
  const deadline = yield* Deadline.CurrentDeadline
  const left = deadline._tag === "Some" ? Duration.toMillis(yield* Deadline.remaining(deadline.value)) : -1
  return JSON.stringify({ priority: priority._tag === "Some" ? priority.value : null, left })
})

const ask = (url: string, headers: Record<string, string>) =>
  Effect.map(Effect.promise(() => send(url, headers)), (answer) => {
    assert.strictEqual(answer.status, 200, answer.body)
    return JSON.parse(answer.body) as { readonly priority: string; readonly left: number }
  })

const byHeader = (request: { readonly headers: Readonly<Record<string, string | undefined>> }): boolean =>
  request.headers["x-trusted"] === "yes"

describe("ServerMiddleware trust", () => {
  it("options: trust a function, untrustedMaxPriority a priority, untrustedMaxTimeout positive and at most maxTimeout", () => {
    assert.match(
      refused(() => ServerMiddleware.make({ trust: "everyone" as unknown as () => boolean })),
      /ServerMiddleware\.make: option "trust"/
    )
    assert.match(
      refused(() => ServerMiddleware.make({ untrustedMaxPriority: "urgent" as Priority.Priority })),
      /ServerMiddleware\.make: option "untrustedMaxPriority"/
    )
    assert.match(
      refused(() => ServerMiddleware.make({ untrustedMaxTimeout: 0 })),
      /ServerMiddleware\.make: option "untrustedMaxTimeout"/
    )
    assert.match(
      refused(() => ServerMiddleware.make({ untrustedMaxTimeout: "10 minutes" })),
      /ServerMiddleware\.make: option "untrustedMaxTimeout" must be at most maxTimeout/
    )
    assert.match(
      refused(() => ServerMiddleware.make({ maxTimeout: "1 minute", untrustedMaxTimeout: "2 minutes" })),
      /option "untrustedMaxTimeout" must be at most maxTimeout/
    )
    // a maxTimeout below the default timeout lowers the default untrusted cap with it
    ServerMiddleware.make({ maxTimeout: "5 seconds" })
  })

  it.live("an untrusted caller's priority and deadline are capped; a trusted caller's are believed", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* serveBehind({ trust: byHeader, untrustedMaxTimeout: "2 seconds" }, () => seen)
      const untrusted = yield* ask(url, { "X-Request-Priority": "high", "X-Request-Timeout": "60" })
      assert.strictEqual(untrusted.priority, "normal")
      assert.isTrue(untrusted.left > 1000 && untrusted.left <= 2000, `left ${untrusted.left}`)
      const trusted = yield* ask(url, { "X-Request-Priority": "high", "X-Request-Timeout": "60", "X-Trusted": "yes" })
      assert.strictEqual(trusted.priority, "high")
      assert.isTrue(trusted.left > 50_000 && trusted.left <= 60_000, `left ${trusted.left}`)
      // less than the caps is believed from anyone
      const modest = yield* ask(url, { "X-Request-Priority": "low", "X-Request-Timeout": "1" })
      assert.strictEqual(modest.priority, "low")
      assert.isTrue(modest.left > 0 && modest.left <= 1000, `left ${modest.left}`)
    })))

  it.live("untrustedMaxPriority sets the cap; a throwing predicate means untrusted", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* serveBehind({ trust: () => false, untrustedMaxPriority: "low" }, () => seen)
      assert.strictEqual((yield* ask(url, { "X-Request-Priority": "high" })).priority, "low")
      assert.strictEqual((yield* ask(url, { "X-Request-Priority": "normal" })).priority, "low")
      const throwing = yield* serveBehind({
        trust: () => {
          throw new Error("no directory")
        }
      }, () => seen)
      assert.strictEqual((yield* ask(throwing, { "X-Request-Priority": "high" })).priority, "normal")
      // no header: the middleware's own default, not a caller's claim
      const highByDefault = yield* serveBehind({ trust: () => false, priority: "high" }, () => seen)
      assert.strictEqual((yield* ask(highByDefault, {})).priority, "high")
    })))

  it.live("by default a caller on loopback is trusted, and its deadline capped by maxTimeout only", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* serveBehind({}, () => seen)
      const answer = yield* ask(url, { "X-Request-Priority": "high", "X-Request-Timeout": "60" })
      assert.strictEqual(answer.priority, "high")
      assert.isTrue(answer.left > 50_000, `left ${answer.left}`)
      assert.isTrue(ServerMiddleware.trustPrivateNetworks({ remoteAddress: { _tag: "None" } } as never))
    })))
})

/** The status of a plain request once one is admitted (the slot is released as the cut request's fiber ends): up to ~1 s, live. */
const freed = async (url: string): Promise<number> => {
  let status = 0
  for (let i = 0; i < 100 && status !== 200; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 10))
    status = (await send(url)).status
  }
  return status
}

/**
 * Under a limit of one slot: a POST whose body keeps arriving, sent with `headers`, holds the
 * slot while a plain request is shed, still at `holdForMillis` on the TestClock; at
 * `heldUntilMillis` it is cut and the slot is free.
 */
const slowSender = (headers: Record<string, string>, holdForMillis: number, heldUntilMillis: number) =>
  Effect.scoped(Effect.gen(function*() {
    const limiter = yield* ConcurrencyLimit.make({
      limit: ConcurrencyLimit.fixed(1),
      shares: { high: 1, normal: 1, low: 1 }
    })
    const arrived = yield* Deferred.make<void>()
    const url = yield* serveBehind(
      { concurrencyLimit: limiter, trust: byHeader, untrustedMaxTimeout: "2 seconds" },
      (request) => Effect.andThen(Deferred.succeed(arrived, undefined), request.body)
    )
    const slow = slowPost(url, { "X-Request-Priority": "high", "X-Request-Timeout": "60", ...headers })
    yield* Effect.addFinalizer(() => Effect.sync(slow.abort))
    yield* Deferred.await(arrived)
    assert.strictEqual((yield* Effect.promise(() => send(url))).status, 503, "shed while the slot is held")
    yield* TestClock.adjust(`${holdForMillis} millis`)
    assert.strictEqual((yield* Effect.promise(() => send(url))).status, 503, "still held")
    assert.strictEqual(slow.outcome(), "pending", "not cut before its deadline")
    yield* TestClock.adjust(`${heldUntilMillis - holdForMillis} millis`)
    // cut: answered 408 if the platform could still write it; on Node the body reader,
    // interrupted, closes the connection first
    assert.oneOf(yield* Effect.promise(() => slow.ended), [408, "closed"], "cut at its deadline")
    assert.strictEqual(yield* Effect.promise(() => freed(url)), 200, "the slot is free")
  }))

describe("ServerMiddleware slow body under a concurrency limit", () => {
  it.effect("an untrusted slow sender holds its slot only to the untrusted cap", () => slowSender({}, 1999, 2000))

  it.effect("a trusted slow sender holds its slot to its own deadline", () =>
    slowSender({ "X-Trusted": "yes" }, 59_999, 60_000))

  it.effect("a request whose body has arrived is not cut at its deadline without cancelOnTimeout", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimit.make({
        limit: ConcurrencyLimit.fixed(1),
        shares: { high: 1, normal: 1, low: 1 }
      })
      const arrived = yield* Deferred.make<void>()
      const url = yield* serveBehind(
        { concurrencyLimit: limiter },
        (request) =>
          Effect.andThen(
            request.body,
            Effect.andThen(Deferred.succeed(arrived, undefined), Effect.as(Effect.sleep("5 seconds"), "done"))
          )
      )
      const answer = send(url, { "X-Request-Timeout": "1" }, { method: "POST", body: "whole" })
      yield* Deferred.await(arrived)
      yield* TestClock.adjust("5 seconds")
      const { body, status } = yield* Effect.promise(() => answer)
      assert.strictEqual(status, 200)
      assert.strictEqual(body, "done")
    })))
})
