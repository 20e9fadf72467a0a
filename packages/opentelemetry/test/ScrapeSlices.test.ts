/**
 * A scrape of many series gives the event loop back while it writes: other
 * callbacks run between its slices, whether the receiver has room or has to
 * drain first, and the text is byte for byte what one synchronous pass writes.
 */
import { Observability } from "@aio-request/opentelemetry"
import { HttpMetrics } from "@aio-request/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { request } from "node:http"
import * as Prometheus from "../src/internal/prometheus.js"
import { parse } from "./support/prometheus.js"

let next = 0
const unique = (name: string) => `http://${name}-${process.pid}-${next++}.test`

const record = (endpoint: string, sets: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < sets; i++) {
      yield* HttpMetrics.recordClientRequest(
        { endpoint, method: "GET", path: `/s/${i}`, status: 200, circuitBreaker: false },
        i / 1000
      )
    }
  })

/** The chunks of one sliced scrape into a receiver that always has room. */
const writeChunks = (
  cache: Prometheus.Cache,
  options: { readonly runtimeMetrics: boolean; readonly preamble: string }
) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    const sink: Prometheus.Sink = {
      write: (chunk) => {
        chunks.push(chunk)
        return true
      },
      drained: Effect.void
    }
    return Effect.as(Prometheus.write(cache, options, sink), chunks)
  })

/**
 * Runs `f` while a `setImmediate` loop logs `"tick"` into `events`: each tick
 * is one turn of the event loop that the code under test let happen.
 */
const withTicks = <A, E>(events: Array<string>, f: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const state = { running: true }
      const tick = () => {
        if (!state.running) return
        events.push("tick")
        setImmediate(tick)
      }
      setImmediate(tick)
      return state
    }),
    () => f,
    (state) =>
      Effect.sync(() => {
        state.running = false
      })
  )

const text = (chunks: ReadonlyArray<string | Uint8Array>): string =>
  Buffer.concat(chunks.map((chunk) => typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)).toString(
    "utf8"
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

describe("Prometheus scrape in slices", () => {
  for (const room of [true, false]) {
    it.live(
      `other callbacks run between slices (receiver ${
        room ? "with room" : "full after every chunk, drained at once"
      }); the text is the one-pass text`,
      () =>
        Effect.gen(function*() {
          const endpoint = unique(room ? "slices-room" : "slices-full")
          yield* record(endpoint, 1000)
          const events: Array<string> = []
          const chunks: Array<string | Uint8Array> = []
          // a receiver that takes every chunk and, when "full", drains at once
          // (as a socket whose kernel buffer had room emits 'drain' from a tick)
          const sink: Prometheus.Sink = {
            write: (chunk) => {
              events.push("chunk")
              chunks.push(chunk)
              return room
            },
            drained: Effect.void
          }
          const options = { runtimeMetrics: false, preamble: "", sliceMillis: 0 }
          const cache = Prometheus.makeCache()
          yield* withTicks(events, Prometheus.write(cache, options, sink))
          // with slices of zero milliseconds, every chunk ends a slice
          assert.isAbove(events.filter((e) => e === "chunk").length, 20)
          assert.strictEqual(longestRun(events), 1, "a turn of the event loop between any two chunks")
          // the list of series is taken in slices too
          assert.isAtLeast(events.indexOf("chunk"), 2, "turns of the event loop before the first chunk")

          const written = text(chunks)
          assert.strictEqual(written, Prometheus.writeAll(cache, Metric.unsafeSnapshot(), options))
          const s = parse(written)
          assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: endpoint }).length, 1000)
        })
    )
  }

  it.live("the list of series kept between scrapes takes in series and families recorded since", () =>
    Effect.gen(function*() {
      const collect = (cache: Prometheus.Cache) => Effect.map(writeChunks(cache, options), text)
      const options = { runtimeMetrics: false, preamble: "" }
      const cache = Prometheus.makeCache()
      const first = unique("kept-first")
      yield* record(first, 10)
      const before = parse(yield* collect(cache))
      assert.strictEqual(before.find("aio_request_latency_count", { request_endpoint: first }).length, 10)

      const later = unique("kept-later")
      yield* record(later, 5)
      const family = `scrape_slices_new_family_${process.pid}_${next++}`
      const counter = Metric.counter(family, { incremental: true })
      yield* Metric.increment(counter)
      const after = yield* collect(cache)
      const s = parse(after)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: first }).length, 10)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: later }).length, 5)
      assert.strictEqual(s.value(`${family}_total`), 1)
      assert.strictEqual(s.types.get(`${family}_total`), "counter")
      // the same lines as one pass over a fresh snapshot (the order of series within a family may differ)
      const lines = (t: string) => t.split("\n").sort()
      assert.deepStrictEqual(
        lines(after),
        lines(Prometheus.writeAll(Prometheus.makeCache(), Metric.unsafeSnapshot(), options))
      )
    }))

  it.live("a series longer than a chunk, and text beyond ASCII, come out whole", () =>
    Effect.gen(function*() {
      // 40,000 characters, some of two and three bytes in UTF-8: one series' text is past 64 KiB
      const long = unique(`long-${"é€a".repeat(13_000)}`)
      const short = unique("short-ü")
      yield* HttpMetrics.recordClientRequest(
        { endpoint: long, method: "GET", path: "/long", status: 200, circuitBreaker: false },
        0.25
      )
      yield* record(short, 300)
      const options = { runtimeMetrics: false, preamble: "" }
      const cache = Prometheus.makeCache()
      const chunks = yield* writeChunks(cache, options)
      assert.isTrue(chunks.every((chunk) => chunk.length > 0))
      const written = text(chunks)
      assert.strictEqual(written, Prometheus.writeAll(cache, Metric.unsafeSnapshot(), options))
      const s = parse(written)
      assert.strictEqual(s.value("aio_request_latency_sum", { request_endpoint: long }), 0.25)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: short }).length, 300)
    }))

  it.live("over HTTP, a large scrape lets the event loop turn many times while it is written", () =>
    Effect.gen(function*() {
      const endpoint = unique("slices-http")
      yield* record(endpoint, 2000)
      const { url } = yield* Observability.PrometheusEndpoint
      const events: Array<string> = []
      const body = yield* withTicks(
        events,
        Effect.async<string, Error>((resume) => {
          const req = request(url, (response) => {
            const parts: Array<Buffer> = []
            response.on("data", (part: Buffer) => {
              events.push("data")
              parts.push(part)
            })
            response.on("end", () => resume(Effect.succeed(Buffer.concat(parts).toString("utf8"))))
            response.on("error", (error) => resume(Effect.fail(error)))
          })
          req.on("error", (error) => resume(Effect.fail(error)))
          req.end()
        })
      )
      const s = parse(body)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: endpoint }).length, 2000)
      // 2,000 label sets are about 6 MB: the writer gave the loop back between its slices
      const first = events.indexOf("data")
      const ticks = events.slice(first).filter((e) => e === "tick").length
      assert.isAbove(ticks, 10, "turns of the event loop while the body was arriving")
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))
})
