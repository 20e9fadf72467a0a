/**
 * @since 0.1.0
 */
export * as HttpMetrics from "./HttpMetrics.js"

/**
 * @since 0.1.0
 */
export * as ServerMiddleware from "./ServerMiddleware.js"

/**
 * @since 0.1.0
 */
export * as Headers from "./Headers.js"

/**
 * @since 0.1.0
 */
export * as HttpRequest from "./HttpRequest.js"

/**
 * @since 0.1.0
 */
export * as ResponseClassifier from "./ResponseClassifier.js"

/**
 * @since 0.1.0
 */
export * as ResilientHttpClient from "./ResilientHttpClient.js"
