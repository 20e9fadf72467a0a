/**
 * Scraping and parsing the Prometheus text exposition format, for tests.
 */
import * as Effect from "effect/Effect"
import { parse, type Scrape } from "./prometheusText.js"

export { parse, type Sample, type Scrape } from "./prometheusText.js"

export interface HttpAnswer {
  readonly status: number
  readonly contentType: string | null
  readonly body: string
}

export const get = (url: string): Effect.Effect<HttpAnswer, Error> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { signal })
      return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() }
    },
    catch: (cause) => cause instanceof Error ? cause : new Error(String(cause))
  })

export const scrape = (url: string): Effect.Effect<Scrape, Error> =>
  Effect.flatMap(get(url), (answer) =>
    answer.status === 200
      ? Effect.succeed(parse(answer.body))
      : Effect.fail(new Error(`scrape of ${url} answered ${answer.status}`)))
