import * as Metric from "effect/Metric"

/**
 * The metrics `@aio-request/core` updates, each defined once, here.
 */

/** @internal */
export const transitions = Metric.counter("aio_request_circuit_breaker_transitions", {
  description: "Circuit breaker state changes, counted by the breaker that made them",
  incremental: true
})
