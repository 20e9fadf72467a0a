/**
 * What only the Effect 4 line has to say: the scrape reads Effect 4's
 * registry (`Metric.MetricRegistry`, a public Map), which can forget a
 * series: a series removed from the registry is gone from the next scrape
 * (and the series recorded since are still there). Effect 3's registry never
 * removes one. (The breaker's transitions and the runtime metrics are checked
 * on both lines: packages/opentelemetry/test/shared.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { parse } from "../../../packages/opentelemetry/test/support/prometheusText.js"
import { Observability } from "../src/index.js"

let next = 0
const unique = (name: string) => `${name}-${process.pid}-${next++}`

const scrape = Effect.gen(function*() {
  const { url } = yield* Observability.PrometheusEndpoint
  return parse(yield* Effect.promise(() => fetch(url).then((response) => response.text())))
})

describe("Observability.layerPrometheus on Effect 4's registry", () => {
  it.live("a series removed from the registry is gone from the next scrape; later series are there", () =>
    Effect.gen(function*() {
      const name = unique("removable").replace(/-/g, "_")
      const gauge = Metric.gauge(name, { description: "a test gauge" })
      const kept = Metric.withAttributes(gauge, { which: "kept" })
      const removed = Metric.withAttributes(gauge, { which: "removed" })
      yield* Metric.update(kept, 1)
      yield* Metric.update(removed, 2)
      const before = yield* scrape
      assert.strictEqual(before.value(name, { which: "kept" }), 1)
      assert.strictEqual(before.value(name, { which: "removed" }), 2)
      yield* Metric.remove(removed)
      const after = yield* scrape
      assert.strictEqual(after.find(name, { which: "removed" }).length, 0)
      assert.strictEqual(after.value(name, { which: "kept" }), 1)
      yield* Metric.update(Metric.withAttributes(gauge, { which: "later" }), 3)
      const later = yield* scrape
      assert.deepStrictEqual(later.find(name).map((sample) => [sample.labels.which, sample.value]), [
        ["kept", 1],
        ["later", 3]
      ])
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))
})
