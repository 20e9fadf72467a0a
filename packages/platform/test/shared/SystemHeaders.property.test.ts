/**
 * `X-Request-Timeout`, `X-Request-Priority` and `X-Service-Name`, arbitrary
 * values (docs/reliability.md, "Hostile input"): `Priority.parse` directly, and
 * the middleware in-process (no sockets, on `TestClock`, so the deadline the
 * handler sees is exact), 10,000 requests carrying all three headers. On both lines.
 */
import { Priority } from "@aio-request/line/core"
import { ServerMiddleware } from "@aio-request/line/platform"
import type { Seen } from "@aio-request/line/platform-testkit"
import { assert, describe, Effect, inProcess, it, metricSeries, Option, seen } from "@aio-request/line/platform-testkit"
import * as fc from "fast-check"

const numRuns = 10_000

// what may arrive in a header value: visible ASCII, space, tab, and obs-text (0x80-0xFF)
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constant("\t") },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)) }
)
const garbage = fc.string({ unit: headerChar, maxLength: 40 })

const timeoutValue = fc.oneof(
  garbage,
  fc.double().map(String),
  fc.double({ min: 0, max: 5, noNaN: true }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.bigInt().map(String),
  fc.nat({ max: 5000 }).map((n) => (n / 1000).toFixed(3)),
  fc.nat({ max: 10 }).map((n) => (n / 1000).toString()),
  fc.tuple(fc.constantFrom("", " ", "\t", "  "), fc.nat({ max: 3000 }), fc.constantFrom("", " ", "\t")).map((
    [a, n, b]
  ) => `${a}${n / 1000}${b}`),
  fc.constantFrom("NaN", "1e309", "-1e309", "Infinity", "1e-400", "-0", "0x10", "0b1", "1_000", "", " ", "1.", ".5")
    .map((s) => s),
  fc.constantFrom("+1", "1e", "e1", "1e+", "1..2", "1,5", "5e-3", "4e-3", "1e3", "2E-1", "\u00bd", "\u00b9"),
  fc.integer({ min: 50, max: 400 }).map((n) => "9".repeat(n)),
  fc.integer({ min: 50, max: 400 }).map((n) => "0." + "0".repeat(n) + "1")
)

const priorityWord = fc.constantFrom("high", "normal", "low")
const priorityValue = fc.oneof(
  garbage,
  priorityWord,
  fc.tuple(fc.constantFrom("", " ", "\t"), priorityWord, fc.constantFrom("", " ", "\t"), fc.boolean()).map((
    [a, word, b, upper]
  ) => `${a}${upper ? word.toUpperCase() : word.replace(/^./, (c) => c.toUpperCase())}${b}`),
  fc.constantFrom("hi", "highest", "HIGH!", "h igh", "low,high", "hìgh", "normal\u00a0", "\u00a0low")
)

const nameChar = fc.constantFrom(..."abcXYZ019._:-/".split(""))
const serviceValue = fc.oneof(
  fc.string({ unit: nameChar, minLength: 1, maxLength: 64 }),
  fc.string({ unit: nameChar, minLength: 65, maxLength: 300 }),
  garbage,
  fc.string({ unit: nameChar, minLength: 1, maxLength: 20 }).map((s) => ` ${s}\t`)
)

/** Well-formed per the contract: finite, non-negative decimal seconds (surrounding whitespace allowed). */
const wellFormed = /^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/

const defaultMillis = 3000
const maxMillis = 2000 // below the default: a header deadline and the default cannot be confused
const lowMillis = 5
const method = "PROPTEST" // a method no other test uses: the metric labels of this file alone

describe("system headers (property)", () => {
  it("Priority.parse: some exactly for high, normal or low (any case, surrounding whitespace), never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          priorityValue,
          fc.string({ unit: "binary" }),
          fc.constantFrom("HİGH", "hıgh", "ＨＩＧＨ", "LOW\u200b")
        ),
        (value) => {
          const parsed = Priority.parse(value)
          const match = /^\s*(high|normal|low)\s*$/i.exec(value)
          assert.deepStrictEqual(parsed, match === null ? Option.none() : Option.some(match[1]!.toLowerCase()), value)
        }
      ),
      { numRuns }
    )
    assert.isTrue(Option.isNone(Priority.parse(undefined)))
  })

  it.effect(
    "the middleware: never a 500; the handler gets the header's deadline (capped) or the default, the header's priority or the default; the client label is the name sent or \"unknown\"",
    () =>
      Effect.gen(function*() {
        const run = yield* inProcess
        const app = ServerMiddleware.make({
          timeout: `${defaultMillis} millis`,
          maxTimeout: `${maxMillis} millis`,
          lowTimeoutThreshold: `${lowMillis} millis`,
          priority: "low",
          // every name sent keeps its own label (past maxClients, callers are "<other>")
          maxClients: numRuns + 1
        })(seen)
        const sentNames: Array<string | undefined> = []
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.option(timeoutValue, { nil: undefined }),
              fc.option(priorityValue, { nil: undefined }),
              fc.option(serviceValue, { nil: undefined }),
              async (timeout, priority, service) => {
                const headers = new Headers()
                if (timeout !== undefined) headers.set("x-request-timeout", timeout)
                if (priority !== undefined) headers.set("x-request-priority", priority)
                if (service !== undefined) headers.set("x-service-name", service)
                sentNames.push(headers.get("x-service-name") ?? undefined)
                const response = await run(app, new Request("http://svc.test/seen", { method, headers }))
                const label = JSON.stringify({ timeout, priority, service }).slice(0, 300)
                const timeoutSent = headers.get("x-request-timeout")
                const seconds = timeoutSent !== null && wellFormed.test(timeoutSent) ? Number(timeoutSent) : NaN
                const headerMillis = Number.isFinite(seconds) ? seconds * 1000 : undefined
                if (response.status === 408) {
                  assert.isDefined(headerMillis, `408 without a well-formed deadline: ${label}`)
                  assert.isAtMost(headerMillis!, lowMillis, label)
                  return
                }
                assert.strictEqual(response.status, 200, `status ${response.status}: ${label}`)
                assert.isTrue(headerMillis === undefined || headerMillis >= lowMillis, `not refused: ${label}`)
                const body = response.body
                assert.strictEqual(body._tag, "Uint8Array")
                const observed = JSON.parse(
                  new TextDecoder().decode(body._tag === "Uint8Array" ? body.body : new Uint8Array())
                ) as Seen
                const expected = headerMillis === undefined ? defaultMillis : Math.min(headerMillis, maxMillis)
                assert.closeTo(observed.remainingMillis!, expected, 0.001, `deadline: ${label}`)
                const expectedPriority = Option.getOrElse(Priority.parse(priority), () => "low")
                assert.strictEqual(observed.priority, expectedPriority, `priority: ${label}`)
              }
            ),
            { numRuns }
          )
        )

        // the client label of every request: the name sent (trimmed) if it looks like one, else "unknown"
        const labels = new Map<string, number>()
        for (const series of yield* metricSeries("aio_request_server_latency")) {
          if (series.tags["request_method"] !== method) continue
          const client = series.tags["request_client"]!
          labels.set(client, (labels.get(client) ?? 0) + series.count)
        }
        const total = [...labels.values()].reduce((a, b) => a + b, 0)
        assert.strictEqual(total, sentNames.length, "every request recorded once")
        const sent = new Set(sentNames.filter((name) => name !== undefined).map((name) => name.trim()))
        for (const client of labels.keys()) {
          if (client === "unknown") continue
          assert.isTrue(sent.has(client), `label ${JSON.stringify(client)} is a name that was sent`)
          assert.match(client, /^[\x21-\x7e]{1,64}$/, "a label is short, visible ASCII")
        }
      }),
    120_000
  )
})
