/**
 * `pnpm bench` in platform: every benchmark of the package, one after another.
 */
await import("./client.js")
await import("./clientOverhead.js")
await import("./serverMiddleware.js")
await import("./serverLoad.js")
await import("./overload.js")
