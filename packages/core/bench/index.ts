/**
 * `pnpm bench` in core: every benchmark of the package, one after another.
 */
await import("./strategy.js")
await import("./circuitBreaker.js")
