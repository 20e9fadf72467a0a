/**
 * A small OTLP/HTTP (JSON) receiver for tests: it keeps every request body it
 * is sent, by path (`/v1/metrics`, `/v1/traces`). The Effect 3 face of
 * `otlpReceiverNode`.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Node from "./otlpReceiverNode.js"

export { attributes, type OtlpMetric, type OtlpSpan, type Received } from "./otlpReceiverNode.js"

export interface OtlpReceiver {
  readonly url: string
  readonly received: Effect.Effect<ReadonlyArray<Node.Received>>
  readonly metrics: Effect.Effect<ReadonlyArray<Node.OtlpMetric>>
  readonly spans: Effect.Effect<ReadonlyArray<Node.OtlpSpan>>
}

export const make: Effect.Effect<OtlpReceiver, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(Effect.promise(Node.start), (receiver) => Effect.promise(receiver.close)),
  (receiver) => {
    const received = Effect.sync(receiver.received)
    return {
      url: receiver.url,
      received,
      metrics: Effect.map(received, Node.metricsOf),
      spans: Effect.map(received, Node.spansOf)
    }
  }
)
