/**
 * A small OTLP/HTTP (JSON) receiver for tests of both lines, in plain Node
 * (no `effect` import): it keeps every request body it is sent, by path
 * (`/v1/metrics`, `/v1/traces`). Each line's support wraps it in its Effect.
 */
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Zlib from "node:zlib"

export interface Received {
  readonly path: string
  readonly contentType: string | undefined
  readonly headers: Http.IncomingHttpHeaders
  readonly body: any
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
  /** OTLP's span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number | undefined
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

/** The metrics of every `/v1/metrics` body received, in order. */
export const metricsOf = (all: ReadonlyArray<Received>): ReadonlyArray<OtlpMetric> =>
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

/** The spans of every `/v1/traces` body received, in order. */
export const spansOf = (all: ReadonlyArray<Received>): ReadonlyArray<OtlpSpan> =>
  all.filter((r) => r.path === "/v1/traces").flatMap((r) =>
    (r.body.resourceSpans ?? []).flatMap((rs: any) =>
      (rs.scopeSpans ?? []).flatMap((ss: any) =>
        (ss.spans ?? []).map((s: any): OtlpSpan => ({
          name: s.name,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId === "" ? undefined : s.parentSpanId,
          kind: s.kind === undefined ? undefined : Number(s.kind),
          attributes: attributes(s.attributes),
          resource: attributes(rs.resource?.attributes)
        }))
      )
    )
  )

export interface NodeReceiver {
  readonly url: string
  /** Every request received so far. */
  readonly received: () => ReadonlyArray<Received>
  readonly close: () => Promise<void>
}

/** Listens on 127.0.0.1, any free port. */
export const start = (): Promise<NodeReceiver> =>
  new Promise((resolve) => {
    let store: ReadonlyArray<Received> = []
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        let raw = Buffer.concat(chunks)
        if (request.headers["content-encoding"] === "gzip") raw = Zlib.gunzipSync(raw)
        const contentType = request.headers["content-type"]
        const body = contentType?.includes("json") ? JSON.parse(raw.toString("utf8")) : raw
        store = [...store, { path: request.url ?? "", contentType, headers: request.headers, body }]
        response.statusCode = 200
        response.setHeader("content-type", "application/json")
        response.end("{}")
      })
    })
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const port = (server.address() as Net.AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}`,
        received: () => store,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })
