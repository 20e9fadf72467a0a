import { describe, expect, it } from "vitest"
import * as Endpoint from "../../src/prometheus/endpoint.js"

describe("prometheus endpoint", () => {
  it("answers the text to GET on its path, headers to HEAD, 405 to other methods, 404 elsewhere", () => {
    expect(Endpoint.answer("GET", "/metrics", "/metrics")).toBe("text")
    expect(Endpoint.answer("HEAD", "/metrics", "/metrics")).toBe("head")
    expect(Endpoint.answer("POST", "/metrics", "/metrics")).toBe(405)
    expect(Endpoint.answer(undefined, "/metrics", "/metrics")).toBe(405)
    expect(Endpoint.answer("GET", "/other", "/metrics")).toBe(404)
    expect(Endpoint.answer("POST", undefined, "/metrics")).toBe(404)
  })

  it("takes gzip when the scraper accepts it with a q-value other than 0", () => {
    expect(Endpoint.acceptsGzip(undefined)).toBe(false)
    expect(Endpoint.acceptsGzip("gzip")).toBe(true)
    expect(Endpoint.acceptsGzip("br, gzip;q=0.5")).toBe(true)
    expect(Endpoint.acceptsGzip("*")).toBe(true)
    expect(Endpoint.acceptsGzip("gzip;q=0")).toBe(false)
    expect(Endpoint.acceptsGzip("gzip;q=0.000, br")).toBe(false)
    expect(Endpoint.acceptsGzip("identity")).toBe(false)
    expect(Endpoint.acceptsGzip("x-gzip")).toBe(false)
  })

  it("labels target_info with the service and its attributes, names made valid", () => {
    expect(Endpoint.targetInfoLabels(undefined, "1", { a: "b" })).toBeUndefined()
    expect(Endpoint.targetInfoLabels("", undefined, undefined)).toBeUndefined()
    expect(Endpoint.targetInfoLabels("api", "1.2", { "deployment.environment": "prod" })).toEqual([
      ["service_name", "api"],
      ["service_version", "1.2"],
      ["deployment_environment", "prod"]
    ])
  })
})
