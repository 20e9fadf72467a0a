import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Format from "../../src/prometheus/format.js"

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** Reads an escaped label value back (`\\`, `\"`, `\n`). */
const unescape = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))

/** Ascending finite boundaries with cumulative counts, from per-bucket counts. */
const buckets = fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), {
  maxLength: 12,
  comparator: "SameValueZero"
}).chain(
  (boundaries) =>
    fc.array(fc.nat(1000), { minLength: boundaries.length, maxLength: boundaries.length }).map((counts) => {
      const sorted = [...boundaries].sort((a, b) => a - b)
      let total = 0
      return sorted.map((boundary, i) => [boundary, total += counts[i]!] as const)
    })
)

/** The `[le, count]` of each `_bucket` line. */
const bucketLines = (text: string): Array<[string, number]> =>
  text.split("\n").filter((line) => line.includes("_bucket")).map((line) => {
    const match = /le="([^"]*)"\} (\d+)$/.exec(line)!
    return [match[1]!, Number(match[2])]
  })

describe("prometheus format: names", () => {
  it("makes names valid identifiers", () => {
    expect(Format.metricName("http.server-latency")).toBe("http_server_latency")
    expect(Format.metricName("9lives")).toBe("_9lives")
    expect(Format.metricName("a:b")).toBe("a:b")
    expect(Format.labelName("a:b")).toBe("a_b")
    expect(Format.labelName("0x")).toBe("_0x")
    expect(Format.labelChars("0.x")).toBe("0_x")
    fc.assert(fc.property(fc.string({ minLength: 1 }), (name) => {
      expect(Format.metricName(name)).toMatch(metricNamePattern)
      expect(Format.labelName(name)).toMatch(labelNamePattern)
    }))
  })

  it("leaves valid names as they are", () => {
    fc.assert(fc.property(fc.stringMatching(metricNamePattern), (name) => Format.metricName(name) === name))
    fc.assert(fc.property(fc.stringMatching(labelNamePattern), (name) => Format.labelName(name) === name))
  })
})

describe("prometheus format: escaping", () => {
  it("escapes backslash, quote and newline in label values", () => {
    expect(Format.escapeLabelValue("plain")).toBe("plain")
    expect(Format.escapeLabelValue("a\\b\"c\nd")).toBe("a\\\\b\\\"c\\nd")
    expect(Format.escapeHelp("a\\b\"c\nd")).toBe("a\\\\b\"c\\nd")
  })

  it("never leaves a raw newline or an unescaped quote, and reads back to the value", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (value) => {
      const escaped = Format.escapeLabelValue(value)
      expect(escaped).not.toContain("\n")
      // every quote is preceded by an odd run of backslashes
      for (const match of escaped.matchAll(/(\\*)"/g)) expect(match[1]!.length % 2).toBe(1)
      expect(unescape(escaped)).toBe(value)
    }))
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => !Format.escapeHelp(text).includes("\n")))
  })

  it("writes a label list in order, without braces", () => {
    expect(Format.labelList([])).toBe("")
    expect(Format.labelList([{ key: "a.b", value: "x\"" }, { key: "c", value: "y" }])).toBe("a_b=\"x\\\"\",c=\"y\"")
    expect(Format.braces("")).toBe("")
    expect(Format.braces("", "le=\"1\"")).toBe("{le=\"1\"}")
    expect(Format.braces("a=\"x\"", "le=\"1\"")).toBe("{a=\"x\",le=\"1\"}")
  })
})

describe("prometheus format: numbers", () => {
  it("writes infinities, NaN and bigints as the format wants them", () => {
    expect(Format.formatNumber(Infinity)).toBe("+Inf")
    expect(Format.formatNumber(-Infinity)).toBe("-Inf")
    expect(Format.formatNumber(NaN)).toBe("NaN")
    expect(Format.formatNumber(12345678901234567890n)).toBe("12345678901234567890")
    expect(Format.formatNumber(0.005)).toBe("0.005")
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      expect(Number(Format.formatNumber(n))).toBe(n === 0 ? 0 : n)
    }))
  })
})

describe("prometheus format: families", () => {
  it("writes HELP and TYPE lines, with counters ending in _total", () => {
    expect(Format.header("monotonicCounter", "requests", "How many\nrequests")).toBe(
      "# HELP requests_total How many\\nrequests\n# TYPE requests_total counter\n"
    )
    expect(Format.header("frequency", "codes_total", undefined)).toBe("# TYPE codes_total counter\n")
    expect(Format.header("counter", "in.flight", undefined)).toBe("# TYPE in_flight gauge\n")
    expect(Format.header("gauge", "g", undefined)).toBe("# TYPE g gauge\n")
    expect(Format.header("histogram", "latency", "seconds")).toBe(
      "# HELP latency seconds\n# TYPE latency histogram\n"
    )
    expect(Format.header("summary", "s", undefined)).toBe("# TYPE s summary\n")
  })

  it("writes counters, gauges, frequencies and summaries", () => {
    expect(Format.sample("up", "", 1)).toBe("up 1\n")
    expect(Format.sample("g", "a=\"x\"", -Infinity)).toBe("g{a=\"x\"} -Inf\n")
    expect(Format.frequency("codes_total", "a=\"x\"", new Map([["200", 3], ["5\"x", 1]]))).toBe(
      "codes_total{a=\"x\",key=\"200\"} 3\ncodes_total{a=\"x\",key=\"5\\\"x\"} 1\n"
    )
    expect(Format.quantile("s", "", 0.5, undefined) + Format.quantile("s", "", 0.99, 2)).toBe(
      "s{quantile=\"0.5\"} NaN\ns{quantile=\"0.99\"} 2\n"
    )
    expect(Format.sumAndCount("s", "a=\"x\"", 1.5, 3)).toBe("s_sum{a=\"x\"} 1.5\ns_count{a=\"x\"} 3\n")
  })

  it("writes a histogram's buckets, +Inf, _sum and _count", () => {
    const le = Format.makeLeLabels()
    expect(Format.histogram("h", "a=\"x\"", le, [[0.1, 1], [1, 3], [Infinity, 4]], 4, 2.5)).toBe(
      "h_bucket{a=\"x\",le=\"0.1\"} 1\nh_bucket{a=\"x\",le=\"1\"} 3\nh_bucket{a=\"x\",le=\"+Inf\"} 4\n" +
        "h_sum{a=\"x\"} 2.5\nh_count{a=\"x\"} 4\n"
    )
    expect(Format.histogram("h", "", le, [[1, 2]], 5, 9)).toBe(
      "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 5\nh_sum 9\nh_count 5\n"
    )
    expect(le.get(0.1)).toBe("le=\"0.1\"")
  })

  it("writes histogram buckets cumulative and ascending, +Inf last with the total count", () => {
    fc.assert(fc.property(buckets, fc.nat(1000), fc.boolean(), (finite, extra, withInf) => {
      const total = (finite.length > 0 ? finite[finite.length - 1]![1] : 0) + extra
      const given = withInf ? [...finite, [Infinity, total] as const] : finite
      const lines = bucketLines(Format.histogram("h", "a=\"b\"", Format.makeLeLabels(), given, total, 0))
      expect(lines.length).toBe(finite.length + 1)
      expect(lines[lines.length - 1]).toEqual(["+Inf", total])
      for (let i = 1; i < lines.length; i++) {
        const [le, count] = lines[i]!
        const [previousLe, previousCount] = lines[i - 1]!
        expect(Number(le.replace("+Inf", "Infinity"))).toBeGreaterThan(Number(previousLe))
        expect(count).toBeGreaterThanOrEqual(previousCount)
      }
    }))
  })

  it("writes target_info", () => {
    expect(Format.targetInfo([["service_name", "api"], ["region", "eu\n1"]])).toBe(
      "# HELP target_info Target metadata\n# TYPE target_info gauge\n" +
        "target_info{service_name=\"api\",region=\"eu\\n1\"} 1\n"
    )
  })
})
