import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as messages from "../../src/http/clientErrors.js"

describe("http/clientErrors", () => {
  it("names the request when known", () => {
    expect(messages.requestOf("GET", "http://h/x")).toBe("GET http://h/x: ")
    expect(messages.requestOf(undefined, undefined)).toBe("")
    expect(messages.requestOf("GET", undefined)).toBe("GET: ")
  })

  it("describes errors, strings, values and cycles", () => {
    expect(messages.describe(new Error("boom"))).toBe("boom")
    expect(messages.describe("plain")).toBe("plain")
    expect(messages.describe({ a: 1 })).toBe("{\"a\":1}")
    expect(messages.describe(undefined)).toBe("undefined")
    const cyclic: Record<string, unknown> = {}
    cyclic["self"] = cyclic
    expect(messages.describe(cyclic)).toBe("[object Object]")
  })

  it("writes each error's message", () => {
    expect(messages.tooManyRedirects("GET", "http://h/", ["http://a/", "http://b/"])).toBe(
      "GET http://h/: too many redirects (2): http://a/ -> http://b/"
    )
    expect(messages.invalidRedirect("UnsupportedScheme", "GET", "http://h/", 302, "file:///x")).toBe(
      "GET http://h/: redirect 302 to \"file:///x\" refused (only http and https locations are followed)"
    )
    expect(messages.invalidRedirect("InvalidLocation", "GET", "http://h/", 301, "::")).toBe(
      "GET http://h/: redirect 301 to \"::\" refused (not a URL)"
    )
    expect(messages.endpoint("Invalid", "GET", "x", "ftp://e", undefined)).toBe(
      "GET x: endpoint \"ftp://e\" is not an absolute http(s) URL"
    )
    expect(messages.endpoint("ProviderFailed", undefined, undefined, undefined, new Error("dns"))).toBe(
      "the endpoint provider failed: dns"
    )
    expect(messages.enrich("POST", "y", "no token")).toBe("POST y: enrich failed: no token")
  })

  it("never writes more than 200 characters of a location", () => {
    fc.assert(fc.property(fc.string({ minLength: 201, maxLength: 400 }), (location) => {
      const message = messages.invalidRedirect("InvalidLocation", "GET", "u", 302, location)
      expect(message).toContain(JSON.stringify(location.slice(0, 200)))
      expect(message).not.toContain(JSON.stringify(location))
    }))
  })
})
