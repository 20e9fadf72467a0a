/**
 * What only the Effect 4 line has to say: the scrape reads Effect 4's
 * registry (`Metric.MetricRegistry`, a public Map): the breaker's transitions
 * counted by effect4/core, a series removed from the registry gone from the
 * next scrape (and the series recorded since still there), runtime metrics
 * only when asked for.
 */
import { CircuitBreaker } from "@aio-request/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Metric } from "effect"
import { parse } from "../../../packages/opentelemetry/test/support/prometheusText.js"
import { Observability } from "../src/index.js"

let next = 0
const unique = (name: string) => `${name}-${process.pid}-${next++}`

const scrape = Effect.gen(function*() {
  const { url } = yield* Observability.PrometheusEndpoint
  return parse(yield* Effect.promise(() => fetch(url).then((response) => response.text())))
})

describe("Observability.layerPrometheus on Effect 4's registry", () => {
  it.live("counts the breaker's transitions as aio_request_circuit_breaker_transitions_total", () =>
    Effect.gen(function*() {
      const scope = unique("breaker")
      const breaker = yield* CircuitBreaker.make({
        breakDuration: "1 minute",
        samplingDuration: "1 minute",
        minimumThroughput: 1,
        failureThreshold: 0.5
      })
      yield* breaker.execute(scope, Effect.fail("boom"), Exit.isFailure).pipe(Effect.ignore)
      assert.strictEqual(yield* breaker.stateOf(scope), "open")
      const s = yield* scrape
      assert.strictEqual(s.types.get("aio_request_circuit_breaker_transitions_total"), "counter")
      assert.strictEqual(
        s.value("aio_request_circuit_breaker_transitions_total", { scope, from: "closed", to: "open" }),
        1
      )
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))

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

  it.live("Effect's runtime metrics are scraped when asked for", () =>
    Effect.gen(function*() {
      yield* Effect.forkChild(Effect.void).pipe(Effect.flatMap(Fiber.join))
      const s = yield* scrape
      assert.isAbove(s.value("child_fibers_started_total"), 0)
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0, runtimeMetrics: true }))))
})
