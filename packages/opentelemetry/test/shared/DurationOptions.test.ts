/**
 * Issue 21 item 6: the duration options of the export layers follow core's
 * one rule and read one way when refused, with units, whatever the bad value
 * (-1, "-1 seconds", NaN, Infinity: every one is positive and finite).
 */
import { describe, it, Observability } from "@aio-request/line/opentelemetry"
import { assertDurationOption } from "../../../core/test/shared/support/durations.js"

describe("Observability duration options: one rule, one wording, units always", () => {
  it("layerOtlp: exportInterval, exportTimeout and shutdownTimeout are positive", () => {
    const base = { url: "http://127.0.0.1:4318", serviceName: "s" }
    for (const option of ["exportInterval", "exportTimeout", "shutdownTimeout"] as const) {
      assertDurationOption(
        "Observability.layerOtlp",
        option,
        "a finite duration > 0ms",
        (v) => Observability.layerOtlp({ ...base, [option]: v })
      )
    }
  })
})
