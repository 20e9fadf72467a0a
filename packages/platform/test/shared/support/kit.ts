/**
 * What the platform kits of both lines (packages/platform/test/line.ts and
 * effect4/platform/test/line.ts) say in the same words, written once: each kit
 * re-exports it. It reaches `effect` and the platform only through the line's
 * support kit (`@aio-request/line/platform-support`).
 */
import { Effect, HttpClient, HttpClientResponse } from "@aio-request/line/platform-support"

/** The ServerMiddleware harness, written once: a handler reporting what it saw, metric reads, a plain GET. */
export * from "./serverMiddlewareHarness.js"

/** The line's own part of the harness: routes, a loopback server behind the middleware, the test `HttpApi`. */
export {
  apiPlacements,
  jsonResponse,
  pathParam,
  post,
  route,
  routes,
  serve,
  serveApi
} from "@aio-request/line/platform-support"
export type { Routes } from "@aio-request/line/platform-support"

/** What a histogram holds: count, sum and cumulative counts by upper boundary. */
export interface HistogramValue {
  readonly count: number
  readonly sum: number
  readonly buckets: ReadonlyArray<readonly [number, number]>
}

/**
 * Runs `effect` over an `HttpClient` that sends nothing: each request is answered, once the
 * effect `answer` gives for its URL has run (TestClock time), with that status and no body.
 */
export const withScriptedClient =
  (answer: (url: string) => Effect.Effect<number>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, HttpClient.HttpClient>> =>
    Effect.provideService(
      effect,
      HttpClient.HttpClient,
      HttpClient.make((request) =>
        Effect.map(answer(request.url), (status) => HttpClientResponse.fromWeb(request, new Response(null, { status })))
      )
    )

/** What a handler served by `serveBehind` gets of its request: the headers and the body. */
export interface ServedRequest {
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Effect.Effect<string, unknown>
}

/** An HTTP client error as both lines can read it: the side that failed, the reason's name, the response if any. */
export interface HttpErrorView {
  readonly side: "request" | "response"
  /** `InvalidUrl`, `Transport`, `Encode`, `StatusCode`, `Decode` or `EmptyBody`. */
  readonly reason: string
  readonly response: HttpClientResponse.HttpClientResponse | undefined
  /** What the error says of itself, if anything (`description`). */
  readonly description: string | undefined
}

/** Waits (live) until `effect` satisfies `predicate`; after ~5 s gives the last value up to the assertion. */
export const eventually = <A>(effect: Effect.Effect<A>, predicate: (a: A) => boolean, tries = 250): Effect.Effect<A> =>
  Effect.flatMap(effect, (a) =>
    predicate(a) || tries === 0
      ? Effect.succeed(a)
      : Effect.flatMap(Effect.sleep("20 millis"), () => eventually(effect, predicate, tries - 1)))

/** A tally of the requests a route received. */
export const tally = () => {
  let n = 0
  return {
    hit: Effect.sync(() => {
      n++
    }),
    get: Effect.sync(() => n)
  }
}
