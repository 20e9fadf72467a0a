/**
 * The ServerMiddleware harness, written once for both lines (the platform kits re-export it):
 * a handler that reports its deadline and priority, metric reads, and a plain undici request.
 * What differs by line (routes, the server with the middleware in place, the `HttpApi`) is in
 * each line's support kit (`@aio-request/line/platform-support`): the middleware around the
 * whole app on Effect 3, global router middleware on Effect 4.
 */
import { Deadline, Priority } from "@aio-request/line/core"
import { HttpMetrics } from "@aio-request/line/platform"
import type { DurationInput } from "@aio-request/line/platform-support"
import {
  Duration,
  Effect,
  histogramCount,
  HttpClient,
  HttpClientRequest,
  HttpServerResponse,
  jsonResponse,
  Option,
  Schedule,
  undici
} from "@aio-request/line/platform-support"

/** What a handler saw: the time left before its deadline, and its priority. */
export interface Seen {
  readonly remainingMillis: number | null
  readonly priority: string | null
}

/** `CurrentDeadline`'s time left and `CurrentPriority`, as a handler sees them. */
export const seenBody: Effect.Effect<Seen> = Effect.gen(function*() {
  const deadline = yield* Deadline.CurrentDeadline
  const priority = yield* Priority.CurrentPriority
  const remainingMillis = Option.isSome(deadline)
    ? Duration.toMillis(yield* Deadline.remaining(deadline.value))
    : null
  return { remainingMillis, priority: Option.getOrNull(priority) }
})

/** A handler body reporting `CurrentDeadline` and `CurrentPriority` as JSON. */
export const seen: Effect.Effect<HttpServerResponse.HttpServerResponse> = Effect.map(seenBody, jsonResponse)

/** The handlers of the test API: `GET /items/:id`, `/slow`, `/report` and `/never`, each answering a `Seen`. */
export interface ApiHandlers {
  readonly item: () => Effect.Effect<Seen>
  readonly slow: () => Effect.Effect<Seen>
  readonly report: () => Effect.Effect<Seen>
  readonly never: () => Effect.Effect<Seen>
}

/** How many server requests were recorded with these labels. */
export const serverCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number }
): Effect.Effect<number> =>
  histogramCount(HttpMetrics.serverLatency, {
    request_client: labels.client,
    request_method: labels.method,
    request_path: labels.path,
    response_status: String(labels.status)
  })

/** Retries `effect` every `spaced` until it succeeds, at most `times` more times. */
export const retrySpaced = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  spaced: DurationInput,
  times: number
): Effect.Effect<A, E, R> => Effect.retry(effect, { schedule: Schedule.spaced(spaced), times })

/** Waits (live) until `serverCount(labels)` reaches `count`; fails after ~5 s. */
export const awaitServerCount = (
  labels: { readonly client: string; readonly method: string; readonly path: string; readonly status: number },
  count: number
): Effect.Effect<number, string> =>
  retrySpaced(
    serverCount(labels).pipe(
      Effect.filterOrFail((n) => n >= count, () => `no ${count} requests recorded with ${JSON.stringify(labels)}`)
    ),
    "20 millis",
    250
  )

let clientCounter = 0
/** A client name no other test uses, so metric counts start at zero. */
export const uniqueClient = (prefix: string): string => `${prefix}-${process.pid}-${++clientCounter}`

/** A request (undici) with the given headers: status, headers and body text. */
export const send = (
  method: "GET" | "POST",
  url: string,
  headers: Record<string, string> = {}
): Effect.Effect<{ readonly status: number; readonly headers: Record<string, string>; readonly text: string }> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const request = (method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)).pipe(
      HttpClientRequest.setHeaders(headers)
    )
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: { ...response.headers }, text }
  }).pipe(Effect.scoped, Effect.provide(undici), Effect.orDie)

/** A plain GET (undici) with the given headers: status and body text. */
export const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(send("GET", url, headers), ({ status, text }) => ({ status, text }))
