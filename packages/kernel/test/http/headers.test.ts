import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Headers from "../../src/http/headers.js"

describe("http/headers", () => {
  it("names the system headers in lower case, with their canonical spelling", () => {
    for (const [name, canonical] of Object.entries(Headers.canonical)) {
      expect(canonical.toLowerCase()).toBe(name)
      expect(Headers.isHeaderName(name)).toBe(true)
    }
  })

  it("reads X-Request-Timeout as milliseconds", () => {
    expect(Headers.parseTimeoutMillis("4.995")).toBe(4995)
    expect(Headers.parseTimeoutMillis(" 2 ")).toBe(2000)
    expect(Headers.parseTimeoutMillis(".5")).toBe(500)
    expect(Headers.parseTimeoutMillis("1e3")).toBe(1_000_000)
    expect(Headers.parseTimeoutMillis("0")).toBe(0)
    expect(Headers.parseTimeoutMillis("1e308")).toBe(Number.MAX_VALUE)
  })

  it("reads a malformed X-Request-Timeout as none", () => {
    for (const value of [undefined, "", " ", "-1", "+1", "NaN", "Infinity", "1e309", "0x10", "1s", "1,5", "1 2", "."]) {
      expect(Headers.parseTimeoutMillis(value)).toBeUndefined()
    }
    // anything with a character no decimal has never parses
    fc.assert(fc.property(
      fc.string(),
      fc.constantFrom("a", "x", "-", ",", "_", "s", "\u0000", "١"),
      fc.string(),
      (before, bad, after) => Headers.parseTimeoutMillis((before + bad + after).replace(/e/gi, "")) === undefined
    ))
  })

  it("parses to a finite, non-negative number or to none", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const millis = Headers.parseTimeoutMillis(s)
      return millis === undefined || (Number.isFinite(millis) && millis >= 0)
    }))
  })

  it("formats then parses back to the millisecond, never later", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (millis) => {
      const parsed = Headers.parseTimeoutMillis(Headers.formatTimeout(millis))!
      return Math.abs(parsed - Math.floor(millis)) < 1e-3 && parsed <= millis + 1e-3
    }))
    expect(Headers.formatTimeout(4995.9)).toBe("4.995")
    expect(Headers.formatTimeout(0)).toBe("0.000")
  })

  it("labels a caller by a name that looks like a service name, else unknown", () => {
    expect(Headers.clientLabel(" web ")).toBe("web")
    expect(Headers.clientLabel(undefined)).toBe(Headers.unknownClient)
    expect(Headers.clientLabel("a b")).toBe(Headers.unknownClient)
    expect(Headers.clientLabel("x".repeat(65))).toBe(Headers.unknownClient)
    fc.assert(fc.property(fc.string(), (s) => {
      const label = Headers.clientLabel(s)
      return label === Headers.unknownClient || (/^[A-Za-z0-9._:\-/]+$/.test(label) && label.length <= 64)
    }))
  })

  it("says why a header value cannot be sent, exactly when it cannot", () => {
    expect(Headers.invalidValue("a\r\nb")).toBe("contains CR or LF")
    expect(Headers.invalidValue("\u0001")).toBe("contains the control character U+0001")
    expect(Headers.invalidValue("é€")).toBe("contains \"€\" (U+20AC), outside Latin-1")
    expect(Headers.invalidValue("text/plain; q=0.5\tok")).toBeUndefined()
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        (s) =>
          (Headers.invalidValue(s) === undefined) === Headers.isHeaderValue(s) &&
          (!/[\r\n]/.test(s) || Headers.invalidValue(s) !== undefined)
      )
    )
  })

  it("accepts only RFC 9110 tokens as header names", () => {
    expect(Headers.isHeaderName("x-service-name")).toBe(true)
    expect(Headers.isHeaderName("")).toBe(false)
    expect(Headers.isHeaderName("a b")).toBe(false)
    expect(Headers.isHeaderName("a:b")).toBe(false)
  })
})
