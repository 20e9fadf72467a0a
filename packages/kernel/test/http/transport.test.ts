import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as transport from "../../src/http/transport.js"

const systemError = (code: string, address?: string, port?: number) =>
  Object.assign(new Error(code), { code, address, port })

describe("http/transport", () => {
  it("parses absolute http(s) endpoints only, without query or fragment, ending with /", () => {
    expect(transport.parseEndpoint("http://svc:8080/api?x=1#y")).toEqual({
      label: "http://svc:8080/api",
      prefix: "http://svc:8080/api/"
    })
    expect(transport.parseEndpoint(new URL("https://svc/"))).toEqual({ label: "https://svc/", prefix: "https://svc/" })
    for (const bad of ["svc:8080", "/api", "ftp://svc/", "file:///x", "not a url", ""]) {
      expect(transport.parseEndpoint(bad)).toBeUndefined()
    }
  })

  it("every prefix ends with / and starts with the label's origin", () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
      const endpoint = transport.parseEndpoint(url)
      if (endpoint === undefined) return
      expect(endpoint.prefix.endsWith("/")).toBe(true)
      expect(endpoint.prefix.startsWith(new URL(endpoint.label).origin)).toBe(true)
      expect(endpoint.label.includes("?")).toBe(false)
    }))
  })

  it("finds system errors through causes and aggregates, once each, and not ERR_ codes", () => {
    const refused4 = systemError("ECONNREFUSED", "127.0.0.1", 1)
    const refused6 = systemError("ECONNREFUSED", "::1", 1)
    const aggregate = Object.assign(new AggregateError([refused4, refused6]), { code: "ERR_AGGREGATE" })
    const cyclic: { cause?: unknown } = {}
    cyclic.cause = { cause: cyclic, errors: [aggregate, aggregate] }
    expect(transport.systemErrors(cyclic).map((e) => e.code)).toEqual(["ECONNREFUSED", "ECONNREFUSED"])
    expect(transport.isConnectFailure(cyclic)).toBe(true)
    expect(transport.describeTransportFailure(cyclic, 3)).toBe(
      "ECONNREFUSED 127.0.0.1:1, ECONNREFUSED [::1]:1 (3 connects)"
    )
  })

  it("a reset after connect is not a connect failure", () => {
    const reset = { cause: systemError("ECONNRESET", "10.0.0.1") }
    expect(transport.isConnectFailure(reset)).toBe(false)
    expect(transport.describeTransportFailure(reset, 1)).toBe("ECONNRESET 10.0.0.1")
    expect(transport.isConnectFailure(new Error("socket hang up"))).toBe(false)
    expect(transport.describeTransportFailure(new Error("socket hang up"), 1)).toBe("socket hang up")
    expect(transport.describeTransportFailure("?", 1)).toBe("transport failure")
    expect(transport.describeTransportFailure(systemError("UND_ERR_CONNECT_TIMEOUT"), 1)).toBe(
      "UND_ERR_CONNECT_TIMEOUT (1 connect)"
    )
  })
})
