/**
 * @since 0.1.0
 */
export * as HttpMetrics from "./HttpMetrics.js"
