/**
 * @since 1.0.0
 */
export * as Observability from "./Observability.js"
