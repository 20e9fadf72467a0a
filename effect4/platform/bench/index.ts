/**
 * `pnpm bench` in effect4/platform (under Node 22): every benchmark of the Effect 4 line's
 * platform package, one after another.
 */
await import("./client.js")
await import("./clientOverhead.js")
await import("./serverMiddleware.js")
await import("./serverLoad.js")
await import("./tailAtScale.js")
