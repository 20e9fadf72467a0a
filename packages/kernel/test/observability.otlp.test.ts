import { describe, expect, it } from "vitest"
import * as Options from "../src/observability/options.js"
import * as Otlp from "../src/observability/otlp.js"
import * as Endpoint from "../src/prometheus/endpoint.js"

describe("OTLP export decisions", () => {
  it("signalUrl: <base>/v1/<signal>, trailing slashes dropped, query kept", () => {
    expect(Otlp.signalUrl("http://127.0.0.1:4318", "metrics")).toBe("http://127.0.0.1:4318/v1/metrics")
    expect(Otlp.signalUrl("http://c:4318/otlp//", "traces")).toBe("http://c:4318/otlp/v1/traces")
    expect(Otlp.signalUrl("https://c/p?k=1", "metrics")).toBe("https://c/p/v1/metrics?k=1")
  })

  it("metricView: runtime metrics dropped unless asked for, the latency histograms in seconds", () => {
    const runtime = (name: string) => name.startsWith("rt_")
    expect(Otlp.metricView("rt_fibers", false, runtime)).toBe("drop")
    expect(Otlp.metricView("rt_fibers", true, runtime)).toBe("keep")
    for (const name of ["aio_request_latency", "aio_request_transport_latency", "aio_request_server_latency"]) {
      expect(Otlp.metricView(name, false, runtime)).toBe("seconds")
    }
    expect(Otlp.metricView("aio_request_attempts", false, runtime)).toBe("keep")
  })

  it("httpUrl: an absolute http(s) URL", () => {
    for (const good of ["http://127.0.0.1:4318", "https://c/otlp"]) expect(Options.httpUrl(good)).toBeUndefined()
    for (const bad of ["127.0.0.1:4318", "/v1", "ftp://c", "", null, 1]) expect(Options.httpUrl(bad)).toBeDefined()
  })
})

describe("Prometheus endpoint URLs", () => {
  it("pathnameOf: the path of a request target", () => {
    expect(Endpoint.pathnameOf("/metrics?x=1")).toBe("/metrics")
    expect(Endpoint.pathnameOf(undefined)).toBe("/")
  })

  it("urlOf: an IPv6 host in brackets", () => {
    expect(Endpoint.urlOf("127.0.0.1", 9464, "/metrics")).toBe("http://127.0.0.1:9464/metrics")
    expect(Endpoint.urlOf("::1", 1, "/m")).toBe("http://[::1]:1/m")
  })
})
