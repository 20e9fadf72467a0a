/**
 * `ResilientHttpClient.make` and `layer`: the options checked once
 * (client/config.ts), then each request run by client/client.ts over the
 * `HttpClient` in context.
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import type * as ResilientHttpClient from "../ResilientHttpClient.js"
import * as client from "./client/client.js"
import * as config_ from "./client/config.js"

/** @internal */
export const make = (
  options: ResilientHttpClient.ResilientHttpClient.Options
): Effect.Effect<HttpClient.HttpClient.With<ResilientHttpClient.Error>, never, HttpClient.HttpClient> => {
  const config = config_.make(options)
  return Effect.map(Effect.service(HttpClient.HttpClient), (underlying) => {
    const execute = client.make(config, underlying)
    return HttpClient.makeWith(
      (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(effect, execute),
      Effect.succeed
    )
  })
}

/**
 * The resilient client as a plain `HttpClient`: its own errors (deadline,
 * circuit, redirects, endpoint, enrich) become transport errors carrying
 * them as `cause`, with their message as description.
 *
 * @internal
 */
export const toHttpClient = (
  client: HttpClient.HttpClient.With<ResilientHttpClient.Error>
): HttpClient.HttpClient =>
  HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(effect, (request) =>
        Effect.mapError(client.execute(request), (error) =>
          HttpClientError.isHttpClientError(error)
            ? error
            : new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({ request, cause: error, description: error.message })
            }))),
    Effect.succeed
  )

/** @internal */
export const layer = (
  options: ResilientHttpClient.ResilientHttpClient.Options
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(make(options), toHttpClient))
