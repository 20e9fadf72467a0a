/**
 * The Effect 4 scrape gives the event loop back while it writes: other
 * callbacks run between its slices, whether the receiver has room or has to
 * drain first, and the text is whole. (The slicing is the kernel's writer;
 * this checks the Effect 4 glue around it: the clock, the zero-millisecond
 * sleep, the drain wait, the sliced walk of the registry.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Metric } from "effect"
import { parse } from "../../../packages/opentelemetry/test/support/prometheusText.js"
import * as Prometheus from "../src/internal/prometheus.js"

let next = 0
const unique = (name: string) => `http://${name}-${process.pid}-${next++}.test`

const latency = Metric.histogram("aio_request_latency", {
  description: "Latency of a client request, all attempts included, in seconds",
  boundaries: Metric.boundariesFromIterable([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
})

const record = (endpoint: string, sets: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < sets; i++) {
      yield* Metric.update(Metric.withAttributes(latency, { request_endpoint: endpoint, request_path: `/s/${i}` }), i)
    }
  })

/** Runs `f` while a `setImmediate` loop logs `"tick"` into `events`, and the longest gap between ticks. */
const withTicks = <A, E>(
  events: Array<string>,
  f: Effect.Effect<A, E>
): Effect.Effect<readonly [A, number], E> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const state = { running: true, last: performance.now(), longest: 0 }
      const tick = () => {
        if (!state.running) return
        const now = performance.now()
        state.longest = Math.max(state.longest, now - state.last)
        state.last = now
        events.push("tick")
        setImmediate(tick)
      }
      setImmediate(tick)
      return state
    }),
    (state) => Effect.map(f, (a) => [a, state.longest] as const),
    (state) =>
      Effect.sync(() => {
        state.running = false
      })
  )

/** The longest run of `"chunk"` events with no `"tick"` between them. */
const longestRun = (events: ReadonlyArray<string>): number => {
  let longest = 0
  let run = 0
  for (const event of events) {
    run = event === "chunk" ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}

const scrapeInto = (events: Array<string>, room: boolean, sliceMillis?: number) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const registry = yield* Metric.MetricRegistry
    const chunks: Array<Uint8Array> = []
    const sink: Prometheus.Sink = {
      write: (chunk) => {
        events.push("chunk")
        chunks.push(chunk)
        return room
      },
      drained: Effect.void
    }
    const options = { runtimeMetrics: false, preamble: "", sliceMillis }
    const [, longestGap] = yield* withTicks(
      events,
      Prometheus.write(registry, context as Context.Context<never>, Prometheus.makeCache(), options, sink)
    )
    return { text: Buffer.concat(chunks).toString("utf8"), longestGap }
  })

describe("Prometheus scrape in slices (Effect 4)", () => {
  for (const room of [true, false]) {
    it.live(`other callbacks run between slices (receiver ${room ? "with room" : "full, drained at once"})`, () =>
      Effect.gen(function*() {
        const endpoint = unique(room ? "slices-room" : "slices-full")
        yield* record(endpoint, 1000)
        const events: Array<string> = []
        const { text } = yield* scrapeInto(events, room, 0)
        // with slices of zero milliseconds, every chunk ends a slice
        assert.isAbove(events.filter((e) => e === "chunk").length, 10)
        assert.strictEqual(longestRun(events), 1, "a turn of the event loop between any two chunks")
        // the registry is walked in slices too
        assert.isAtLeast(events.indexOf("chunk"), 2, "turns of the event loop before the first chunk")
        const s = parse(text)
        assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: endpoint }).length, 1000)
      }))
  }

  it.live("slices of 4 ms: the longest the event loop waits during a scrape of 3,000 label sets", () =>
    Effect.gen(function*() {
      const endpoint = unique("slices-stall")
      yield* record(endpoint, 3000)
      const events: Array<string> = []
      const started = performance.now()
      const { longestGap, text } = yield* scrapeInto(events, true)
      const took = performance.now() - started
      assert.strictEqual(
        parse(text).find("aio_request_latency_count", { request_endpoint: endpoint }).length,
        3000
      )
      console.log(
        `[Effect 4] writer alone: ${text.length} bytes in ${took.toFixed(1)} ms, ` +
          `${events.filter((e) => e === "tick").length} turns, longest wait ${longestGap.toFixed(1)} ms`
      )
      // (the figure depends on the machine; the zero-millisecond slices above are the check)
      assert.isAtLeast(events.filter((e) => e === "tick").length, 2)
    }))
})
