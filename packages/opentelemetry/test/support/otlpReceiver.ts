/**
 * A small OTLP/HTTP (JSON) receiver for tests: it keeps every request body it
 * is sent, by path (`/v1/metrics`, `/v1/traces`).
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Zlib from "node:zlib"

export interface Received {
  readonly path: string
  readonly contentType: string | undefined
  readonly headers: Http.IncomingHttpHeaders
  readonly body: any
}

export interface OtlpReceiver {
  readonly url: string
  readonly received: Effect.Effect<ReadonlyArray<Received>>
  readonly metrics: Effect.Effect<ReadonlyArray<OtlpMetric>>
  readonly spans: Effect.Effect<ReadonlyArray<OtlpSpan>>
}

export interface OtlpMetric {
  readonly name: string
  readonly resource: Record<string, unknown>
  readonly data: any
}

export interface OtlpSpan {
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly attributes: Record<string, unknown>
  readonly resource: Record<string, unknown>
}

const anyValue = (value: any): unknown =>
  value === undefined || value === null
    ? undefined
    : "stringValue" in value
    ? value.stringValue
    : "intValue" in value
    ? Number(value.intValue)
    : "doubleValue" in value
    ? value.doubleValue
    : "boolValue" in value
    ? value.boolValue
    : value

export const attributes = (list: ReadonlyArray<any> | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]))

export const make: Effect.Effect<OtlpReceiver, never, Scope.Scope> = Effect.gen(function*() {
  const store = yield* Ref.make<ReadonlyArray<Received>>([])
  const server = yield* Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          let raw = Buffer.concat(chunks)
          if (request.headers["content-encoding"] === "gzip") raw = Zlib.gunzipSync(raw)
          const contentType = request.headers["content-type"]
          const body = contentType?.includes("json") ? JSON.parse(raw.toString("utf8")) : raw
          Effect.runSync(
            Ref.update(
              store,
              (all) => [...all, { path: request.url ?? "", contentType, headers: request.headers, body }]
            )
          )
          response.statusCode = 200
          response.setHeader("content-type", "application/json")
          response.end("{}")
        })
      })
      server.listen({ host: "127.0.0.1", port: 0 }, () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )
  const port = (server.address() as Net.AddressInfo).port
  const received = Ref.get(store)
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    metrics: Effect.map(
      received,
      (all) =>
        all.filter((r) => r.path === "/v1/metrics").flatMap((r) =>
          (r.body.resourceMetrics ?? []).flatMap((rm: any) =>
            (rm.scopeMetrics ?? []).flatMap((sm: any) =>
              (sm.metrics ?? []).map((m: any): OtlpMetric => ({
                name: m.name,
                resource: attributes(rm.resource?.attributes),
                data: m
              }))
            )
          )
        )
    ),
    spans: Effect.map(
      received,
      (all) =>
        all.filter((r) => r.path === "/v1/traces").flatMap((r) =>
          (r.body.resourceSpans ?? []).flatMap((rs: any) =>
            (rs.scopeSpans ?? []).flatMap((ss: any) =>
              (ss.spans ?? []).map((s: any): OtlpSpan => ({
                name: s.name,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId === "" ? undefined : s.parentSpanId,
                attributes: attributes(s.attributes),
                resource: attributes(rs.resource?.attributes)
              }))
            )
          )
        )
    )
  }
})
