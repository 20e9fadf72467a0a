/**
 * `pnpm bench` in opentelemetry: every benchmark of the package, one after another.
 */
await import("./metrics.js")
await import("./scrape.js")
