/**
 * @since 0.1.0
 */
export * as Observability from "./Observability.js"
