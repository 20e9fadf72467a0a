/**
 * The resilient client. The path of one request is a sequence of stages, one
 * file each under `client/` (see docs/architecture.md):
 *
 * - `config.ts`: the options, checked once (stage 0);
 * - `client.ts`: per request: endpoint, prepared request, deadline, priority, strategy, `Strategy.run` (1);
 * - `attempt.ts`: per attempt: low-timeout check, breaker, system headers, enrich (2);
 * - `transport.ts`: the send: connect retries, redirects, release of unread responses (3);
 * - `outcome.ts`: the one record of each attempt, its classifier verdict taken once (4);
 * - `telemetry.ts`: metrics and spans, read from those records;
 * - `body.ts`: the winning response, its body under the deadline (5).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ResilientHttpClient from "../ResilientHttpClient.js"
import * as client from "./client/client.js"
import * as config_ from "./client/config.js"
import { HttpClient, httpClient, type HttpClientRequest, isHttpClientError, transportError } from "./line.js"

/** @internal */
export { EndpointError, EnrichError, InvalidRedirectError, TooManyRedirectsError } from "./client/errors.js"

/** @internal */
export const make = (
  options: ResilientHttpClient.ResilientHttpClient.Options
): Effect.Effect<HttpClient.HttpClient.With<ResilientHttpClient.Error>, never, HttpClient.HttpClient> => {
  const config = config_.make(options)
  return Effect.map(httpClient, (underlying) => {
    const execute = client.make(config, underlying)
    return HttpClient.makeWith(
      (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(effect, execute),
      Effect.succeed
    )
  })
}

/**
 * The client as an `HttpClient` proper: its own errors (deadline, circuit,
 * redirects, endpoint, enrich), which are not `HttpClientError`s, become
 * transport errors whose `cause` is the original error and whose
 * description is its message.
 *
 * @internal
 */
export const toHttpClient = (
  client: HttpClient.HttpClient.With<ResilientHttpClient.Error>
): HttpClient.HttpClient =>
  HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(effect, (request) =>
        Effect.mapError(
          client.execute(request),
          (error) => isHttpClientError(error) ? error : transportError(request, error, error.message)
        )),
    Effect.succeed
  )

/** @internal */
export const layer = (
  options: ResilientHttpClient.ResilientHttpClient.Options
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(make(options), toHttpClient))
