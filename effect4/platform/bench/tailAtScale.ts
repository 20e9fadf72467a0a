/**
 * Tail at Scale on the Effect 4 line: the benchmark written once for both lines in
 * packages/platform/bench/support/tailAtScale.ts (copied to `support/tailAtScale.ts` here; it says
 * what is reproduced, the backend, the strategies and the policy), with the Effect 4
 * `ResilientHttpClient` over `@effect/platform-node` 4's undici client, under Node 22: the same
 * backend process (examples/bench/support/backend.ts), load, strategies, budget and figures as
 * examples/bench/tail-at-scale.ts on Effect 3, with ids prefixed `effect4.`.
 *
 * cd effect4/platform && node ../../scripts/node22.mjs --import tsx bench/tailAtScale.ts
 *   [--requests 20000] [--rate 200] [--warmup 3000] [--closed 32] [--budget 0.1]
 *   [--percentile 0.999] [--min 5] [--max 30] [--window 300]
 *   [--strategies single,hedge_p95,hedge_percentile]   (only these; no figures are reported)
 *   [--trace]
 */
import { run } from "./support/tailAtScale.js"

await run()
