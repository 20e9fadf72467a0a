/**
 * `pnpm bench` in examples: the Tail at Scale reproduction, then the overload
 * scenario end to end (front → upstream, baseline against protected).
 */
await import("./tail-at-scale.js")
await import("./overload-chain.js")
