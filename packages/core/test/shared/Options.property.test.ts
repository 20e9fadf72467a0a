/**
 * Every option checker of `Options`, fed arbitrary JavaScript values
 * (docs/reliability.md, "Hostile input"): each either returns the value it was
 * given (a duration: the decoded duration) exactly when the value is valid, or
 * throws an `IllegalArgumentException` naming the constructor and the option.
 * Nothing else ever escapes, whatever the value (proxies that throw, objects
 * without a prototype, symbols, a `Symbol.toStringTag` getter that throws...).
 * Proxies whose traps throw are left out: no checker can read such a value.
 */
import { Options } from "@aio-request/line/core"
import {
  assert,
  decodeDuration,
  describe,
  Duration,
  type DurationInput,
  isIllegalArgument,
  it,
  Option,
  toDuration
} from "@aio-request/line/testkit"
import * as fc from "fast-check"

const numRuns = 10_000
const where = "Prop.make"
const option = "opt"

/** Values that break code which reads them carelessly. */
const hostile: ReadonlyArray<unknown> = (() => {
  const badTag = Object.defineProperty({}, Symbol.toStringTag, {
    get: () => {
      throw new Error("toStringTag getter")
    }
  })
  const badToString = {
    toString: () => {
      throw new Error("toString")
    },
    valueOf: () => {
      throw new Error("valueOf")
    }
  }
  return [
    badTag,
    badToString,
    Object.create(null),
    Symbol("s"),
    Symbol.iterator,
    () => 1,
    class {},
    new Date(Number.NaN),
    new Map(),
    [],
    [1, 2],
    [-1, 0],
    [Number.NaN, 0],
    new Number(1),
    new String("1 second"),
    Duration.infinity,
    Duration.zero,
    Duration.millis(5),
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    BigInt(-1),
    BigInt(0),
    BigInt("123456789012345678901234567890"),
    "",
    " ",
    "1 second",
    "-1 second",
    "Infinity",
    "1e309 millis",
    "NaN millis",
    "5 lightyears",
    null,
    undefined
  ]
})()

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBoxedValues: true
    })
  },
  { weight: 2, arbitrary: fc.constantFrom(...hostile) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 20 }) },
  { weight: 1, arbitrary: fc.bigInt() },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.oneof(fc.double(), fc.integer({ min: -3, max: 1000 })),
      fc.constantFrom("nanos", "micros", "millis", "seconds", "minutes", "hours", "days", "weeks", "millis ", "parsecs")
    ).map(([n, unit]) => `${n} ${unit}`)
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: -2, max: 1e6 }), fc.integer({ min: -2, max: 1e9 })) }
)

/**
 * Runs `check` on `value`: its result when it returns, or the message of the
 * `IllegalArgumentException` it threw; anything else thrown fails the property.
 */
const attempt = <A>(check: () => A): { readonly ok: true; readonly value: A } | { readonly ok: false } => {
  try {
    return { ok: true, value: check() }
  } catch (error) {
    if (!isIllegalArgument(error)) {
      throw new Error(
        `threw something else than an IllegalArgumentException: ${String((error as Error)?.message ?? "?")}`
      )
    }
    assert.isTrue(error.message.startsWith(`${where}: option "${option}" must be `), error.message)
    return { ok: false }
  }
}

/** The property every checker satisfies, given its validity rule. */
const checker = <A>(
  name: string,
  run: (value: unknown) => A,
  isValid: (value: unknown) => boolean,
  roundTrip: (value: unknown, result: A) => void = (value, result) => assert.strictEqual(result, value)
) =>
  it(`Options.${name}: refused with IllegalArgumentException exactly when invalid, returned as given otherwise`, () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const outcome = attempt(() => run(value))
        assert.strictEqual(outcome.ok, isValid(value), `valid?`)
        if (outcome.ok) roundTrip(value, outcome.value)
      }),
      { numRuns }
    )
  })

const isNumber = (u: unknown): u is number => typeof u === "number"

describe("Options (property)", () => {
  checker(
    "integer",
    (v) => Options.integer(where, option, v as number, 1),
    (v) => isNumber(v) && Number.isInteger(v) && v >= 1
  )

  checker(
    "between (inclusive)",
    (v) => Options.between(where, option, v as number, 0, 1, true),
    (v) => isNumber(v) && v >= 0 && v <= 1
  )

  checker(
    "between (exclusive)",
    (v) => Options.between(where, option, v as number, 0, 1, false),
    (v) => isNumber(v) && v > 0 && v < 1
  )

  checker("boolean", (v) => Options.boolean(where, option, v as boolean), (v) => typeof v === "boolean")

  checker("callable", (v) => Options.callable(where, option, v as () => void), (v) => typeof v === "function")

  checker("string", (v) => Options.string(where, option, v as string), (v) => typeof v === "string")

  checker(
    "string (nonEmpty)",
    (v) => Options.string(where, option, v as string, { nonEmpty: true }),
    (v) => typeof v === "string" && v.length > 0
  )

  checker(
    "oneOf",
    (v) => Options.oneOf(where, option, v as string | number, ["a", "b", 1]),
    (v) => v === "a" || v === "b" || v === 1
  )

  checker(
    "record",
    (v) => Options.record(where, option, v as object),
    (v) => typeof v === "object" && v !== null && !Array.isArray(v)
  )

  checker(
    "service",
    (v) => Options.service(where, option, v, "Thing", ["execute"]),
    (v) => typeof v === "object" && v !== null && (v as { execute?: unknown }).execute !== undefined
  )

  /** The value, for a failure message; never throws (some generated values cannot be printed). */
  const show = (value: unknown): string => {
    try {
      return fc.stringify(value)
    } catch {
      return `a ${typeof value}`
    }
  }

  // the contract, written independently of the checker: a decodable duration, never a
  // negative or NaN number or bigint; infinite only when allowed; positive refuses zero
  const durationRule = (options: Options.Options.DurationOptions) => (v: unknown): boolean => {
    if (typeof v === "number" && (Number.isNaN(v) || v < 0)) return false
    if (typeof v === "bigint" && v < BigInt(0)) return false
    const decoded = decodeDuration(v)
    if (Option.isNone(decoded)) return false
    if (!Duration.isFinite(decoded.value) && options.allowInfinite !== true) return false
    if (options.positive === true && Duration.toMillis(decoded.value) <= 0) return false
    return true
  }
  for (
    const options of [{}, { positive: true }, { allowInfinite: true }, { positive: true, allowInfinite: true }]
  ) {
    checker(
      `duration ${JSON.stringify(options)}`,
      (v) => Options.duration(where, option, v as DurationInput, options),
      durationRule(options),
      (value, result) => {
        assert.isTrue(Duration.isDuration(result))
        assert.isTrue(Duration.equals(result, toDuration(value as DurationInput)), show(value))
      }
    )
  }

  it("Options.fail: always an IllegalArgumentException naming where, the option and what was expected", () => {
    fc.assert(
      fc.property(anyValue, fc.string(), fc.string(), (value, name, expected) => {
        try {
          Options.fail(where, name, expected, value)
        } catch (error) {
          if (!isIllegalArgument(error)) throw new Error("not an IllegalArgumentException")
          assert.isTrue(error.message.startsWith(`${where}: option "${name}" must be ${expected}, got `))
          return
        }
        assert.fail("fail returned")
      }),
      { numRuns }
    )
  })
})
