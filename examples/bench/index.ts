/**
 * `pnpm bench` in examples: the Tail at Scale reproduction.
 */
await import("./tail-at-scale.js")
