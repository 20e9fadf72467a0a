/**
 * `pnpm bench` in platform: every benchmark of the package, one after another.
 */
await import("./client.js")
