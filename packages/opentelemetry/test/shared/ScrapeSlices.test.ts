/**
 * A scrape of many series gives the event loop back while it writes, on both
 * lines (the kit `@aio-request/line/opentelemetry` is the line under test):
 * other callbacks run between its slices, whether the receiver has room or has
 * to drain first, the list of series is taken in slices too, and the text is
 * byte for byte what one synchronous pass over the public snapshot writes.
 */
import {
  assert,
  countNew,
  describe,
  Effect,
  it,
  line,
  Observability,
  onePass,
  Prometheus
} from "@aio-request/line/opentelemetry"
import { HttpMetrics } from "@aio-request/line/platform"
import { request } from "node:http"
import { parse } from "../support/prometheusText.js"

let next = 0
const unique = (name: string) => `http://${name}-${line}-${process.pid}-${next++}.test`

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
const writeChunks = (cache: Prometheus.Cache, options: Prometheus.WriteOptions) =>
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
 * Runs `f` while a `setImmediate` loop logs `"tick"` into `events` (each tick is one turn of
 * the event loop that the code under test let happen); its result and the longest gap between ticks.
 */
const withTicks = <A, E>(events: Array<string>, f: Effect.Effect<A, E>): Effect.Effect<readonly [A, number], E> =>
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

const text = (chunks: ReadonlyArray<Uint8Array>): string => Buffer.concat(chunks).toString("utf8")

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

/** One sliced scrape into a receiver that logs `"chunk"` into `events`; `room`: whether it has room after each. */
const scrapeInto = (events: Array<string>, room: boolean, options: Prometheus.WriteOptions) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
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
    return Effect.map(
      withTicks(events, Prometheus.write(Prometheus.makeCache(), options, sink)),
      ([, longestGap]) => ({ text: text(chunks), longestGap })
    )
  })

describe(`Prometheus scrape in slices (Effect ${line})`, () => {
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
          const options = { runtimeMetrics: false, preamble: "", sliceMillis: 0 }
          const { text: written } = yield* scrapeInto(events, room, options)
          // with slices of zero milliseconds, every chunk ends a slice
          assert.isAbove(events.filter((e) => e === "chunk").length, 20)
          assert.strictEqual(longestRun(events), 1, "a turn of the event loop between any two chunks")
          // the list of series is taken in slices too
          assert.isAtLeast(events.indexOf("chunk"), 2, "turns of the event loop before the first chunk")

          assert.strictEqual(written, yield* onePass(options))
          const s = parse(written)
          assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: endpoint }).length, 1000)
        })
    )
  }

  it.live("slices of 4 ms: a scrape of 3,000 label sets lets the event loop turn", () =>
    Effect.gen(function*() {
      const endpoint = unique("slices-stall")
      yield* record(endpoint, 3000)
      const events: Array<string> = []
      const started = performance.now()
      const { longestGap, text: written } = yield* scrapeInto(events, true, { runtimeMetrics: false, preamble: "" })
      const took = performance.now() - started
      assert.strictEqual(parse(written).find("aio_request_latency_count", { request_endpoint: endpoint }).length, 3000)
      console.log(
        `[Effect ${line}] writer alone: ${written.length} bytes in ${took.toFixed(1)} ms, ` +
          `${events.filter((e) => e === "tick").length} turns, longest wait ${longestGap.toFixed(1)} ms`
      )
      // (the figure depends on the machine; the zero-millisecond slices above are the check)
      assert.isAtLeast(events.filter((e) => e === "tick").length, 2)
    }))

  it.live("the list of series kept between scrapes takes in series and families recorded since", () =>
    Effect.gen(function*() {
      const options = { runtimeMetrics: false, preamble: "" }
      const collect = (cache: Prometheus.Cache) => Effect.map(writeChunks(cache, options), text)
      const cache = Prometheus.makeCache()
      const first = unique("kept-first")
      yield* record(first, 10)
      const before = parse(yield* collect(cache))
      assert.strictEqual(before.find("aio_request_latency_count", { request_endpoint: first }).length, 10)

      const later = unique("kept-later")
      yield* record(later, 5)
      const family = `scrape_slices_new_family_${line}_${process.pid}_${next++}`
      yield* countNew(family)
      const after = yield* collect(cache)
      const s = parse(after)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: first }).length, 10)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: later }).length, 5)
      assert.strictEqual(s.value(`${family}_total`), 1)
      assert.strictEqual(s.types.get(`${family}_total`), "counter")
      // the same lines as one pass over a fresh snapshot (the order of series within a family may differ)
      const lines = (t: string) => t.split("\n").sort()
      assert.deepStrictEqual(lines(after), lines(yield* onePass(options)))
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
      const chunks = yield* writeChunks(Prometheus.makeCache(), options)
      assert.isTrue(chunks.every((chunk) => chunk.length > 0))
      const written = text(chunks)
      assert.strictEqual(written, yield* onePass(options))
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
      const [body] = yield* withTicks(
        events,
        Effect.promise(() =>
          new Promise<string>((resolve, reject) => {
            const req = request(url, (response) => {
              const parts: Array<Buffer> = []
              response.on("data", (part: Buffer) => {
                events.push("data")
                parts.push(part)
              })
              response.on("end", () => resolve(Buffer.concat(parts).toString("utf8")))
              response.on("error", reject)
            })
            req.on("error", reject)
            req.end()
          })
        )
      )
      const s = parse(body)
      assert.strictEqual(s.find("aio_request_latency_count", { request_endpoint: endpoint }).length, 2000)
      // 2,000 label sets are about 6 MB: the writer gave the loop back between its slices
      const first = events.indexOf("data")
      const ticks = events.slice(first).filter((e) => e === "tick").length
      assert.isAbove(ticks, 10, "turns of the event loop while the body was arriving")
    }).pipe(Effect.provide(Observability.layerPrometheus({ port: 0 }))))
})
