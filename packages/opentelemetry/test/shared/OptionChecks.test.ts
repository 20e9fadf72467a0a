/**
 * What a JavaScript caller gets for a wrong option of the export layers: an
 * `IllegalArgumentException` (Effect 4: `IllegalArgumentError`) when the layer is constructed, naming the
 * constructor and the option (not a failure when the layer is built, nor an
 * option silently read as true or ignored). `null` for an optional option
 * means "not given", as `undefined` does. Shared by both lines (the kit
 * `@aio-request/line/opentelemetry` is the line under test).
 */
import { assert, describe, Effect, it, Observability, refused } from "@aio-request/line/opentelemetry"

/** Asserts that `f` is refused with a message naming `where` and `option`. */
const assertRefused = (f: () => unknown, where: string, option: string) => {
  const message = refused(f)
  assert.isTrue(
    message.startsWith(`${where}: option "${option}" must be `),
    `expected a message naming ${where} and "${option}", got: ${message}`
  )
}

/** Lets a test pass what TypeScript would refuse, as JavaScript would. */
const js = (u: unknown): any => u

describe("Observability option checks for JavaScript callers", () => {
  it("layerPrometheus: options, host, port, path and resource", () => {
    const where = "Observability.layerPrometheus"
    const prometheus = Observability.layerPrometheus
    assertRefused(() => prometheus(js(null)), where, "options")
    assertRefused(() => prometheus(js("9464")), where, "options")
    assertRefused(() => prometheus({ host: js(127001) }), where, "host")
    assertRefused(() => prometheus({ host: js({}) }), where, "host")
    assertRefused(() => prometheus({ port: js("9464") }), where, "port")
    assertRefused(() => prometheus({ port: js({}) }), where, "port")
    assertRefused(() => prometheus({ port: 65536 }), where, "port")
    assertRefused(() => prometheus({ path: js(["/metrics"]) }), where, "path")
    assertRefused(() => prometheus({ path: "metrics" }), where, "path")
    assertRefused(() => prometheus({ serviceName: js(1) }), where, "serviceName")
    // checked even without a serviceName, though they are then unused
    assertRefused(() => prometheus({ serviceVersion: js(2) }), where, "serviceVersion")
    assertRefused(() => prometheus({ attributes: js("team=core") }), where, "attributes")
    assertRefused(() => prometheus({ serviceName: "s", attributes: js({ team: 1 }) }), where, "attributes.team")
    // good values: the layer is only described, nothing listens until it is built
    prometheus()
    prometheus({})
    prometheus({ host: "::1", port: 0, path: "/m", serviceName: "s", serviceVersion: "1", attributes: { a: "b" } })
  })

  it("layerOtlp: options, url, resource, headers, booleans, durations and spanProcessor", () => {
    const where = "Observability.layerOtlp"
    const base = { url: "http://127.0.0.1:4318", serviceName: "s" }
    const otlp = Observability.layerOtlp
    assertRefused(() => otlp(js(undefined)), where, "options")
    assertRefused(() => otlp(js("http://127.0.0.1:4318")), where, "options")
    assertRefused(() => otlp({ ...base, url: js(null) }), where, "url")
    assertRefused(() => otlp({ ...base, url: "/v1" }), where, "url")
    assertRefused(() => otlp({ ...base, serviceName: js(undefined) }), where, "serviceName")
    assertRefused(() => otlp({ ...base, serviceName: js({}) }), where, "serviceName")
    assertRefused(() => otlp({ ...base, headers: js("x-api-key: 1") }), where, "headers")
    assertRefused(() => otlp({ ...base, headers: js(null) }), where, "headers")
    assertRefused(() => otlp({ ...base, attributes: js([]) }), where, "attributes")
    assertRefused(() => otlp({ ...base, metrics: js("no") }), where, "metrics")
    assertRefused(() => otlp({ ...base, traces: js(0) }), where, "traces")
    assertRefused(() => otlp({ ...base, exportInterval: js({}) }), where, "exportInterval")
    assertRefused(() => otlp({ ...base, shutdownTimeout: js("soon") }), where, "shutdownTimeout")
    assertRefused(() => otlp({ ...base, spanProcessor: js(true) }), where, "spanProcessor")
    otlp(base)
    otlp({
      ...base,
      serviceVersion: "1",
      attributes: { a: "b" },
      headers: { "x-api-key": "k" },
      metrics: false,
      traces: true,
      exportInterval: "1 second",
      exportTimeout: "500 millis",
      spanProcessor: "simple",
      shutdownTimeout: "1 second"
    })
  })

  it.live("layerPrometheus: good values still serve", () =>
    Effect.gen(function*() {
      const endpoint = yield* Observability.PrometheusEndpoint
      assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+\/scrape$/)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0, path: "/scrape" }))))
})
