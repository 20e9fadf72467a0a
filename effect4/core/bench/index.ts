/**
 * `pnpm bench` in effect4/core (under Node 22): every benchmark of the Effect 4 line's core
 * package, one after another.
 */
await import("./effect4.js")
