/**
 * The demo's scenes, in the order `pnpm demo` runs them, on both lines. To add
 * one: a file here that imports `effect`, the platform and the packages only
 * through `@aio-request/line/core`, `@aio-request/line/platform` and
 * `@aio-request/line/demo` (`pnpm check:effect4` typechecks this folder
 * against the Effect 4 line); whatever it needs that differs between the
 * lines goes into both glue files, under one name (./line.ts,
 * effect4/examples/src/line.ts); then its entry below and its test in
 * examples/test/shared/demo.test.ts.
 */
import { scene as budget } from "./budget.js"
import { scene as circuit } from "./circuit.js"
import { scene as deadline } from "./deadline.js"
import { scene as hedging } from "./hedging.js"
import { scene as overload } from "./overload.js"
import { scene as scrape } from "./scrape.js"
import type { Scene } from "./shared.js"
import { scene as shedding } from "./shedding.js"

export const scenes: ReadonlyArray<Scene> = [hedging, deadline, circuit, budget, shedding, overload, scrape]
