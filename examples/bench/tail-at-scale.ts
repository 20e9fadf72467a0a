/**
 * Tail at Scale, reproduced (Dean and Barroso, CACM 2013: hedging a request after a short delay
 * cut the 99.9th percentile from 1,800 ms to 74 ms for 2% more requests), on the Effect 3 line:
 * the benchmark is written once for both lines in packages/platform/bench/support/tailAtScale.ts
 * (what is reproduced, the backend, the strategies, the policy and the options are described
 * there); effect4/platform/bench/tailAtScale.ts runs it on Effect 4.
 *
 * cd examples && npx tsx bench/tail-at-scale.ts [--requests 20000] [--rate 200]
 *   [--warmup 3000] [--closed 32] [--budget 0.1]
 *   [--percentile 0.999] [--min 5] [--max 30] [--window 300]
 *   [--strategies single,hedge_p95,hedge_percentile]   (only these; no figures are reported)
 *   [--trace]   (per request: when each attempt was sent, what the budget refused)
 */
import { run } from "../../packages/platform/bench/support/tailAtScale.js"

await run()
