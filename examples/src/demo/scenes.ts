/** The demo's scenes, in the order `pnpm demo` runs them. */
import { scene as budget } from "./budget.js"
import { scene as circuit } from "./circuit.js"
import { scene as deadline } from "./deadline.js"
import { scene as hedging } from "./hedging.js"
import { scene as overload } from "./overload.js"
import { scene as scrape } from "./scrape.js"
import type { Scene } from "./shared.js"
import { scene as shedding } from "./shedding.js"

export const scenes: ReadonlyArray<Scene> = [hedging, deadline, circuit, budget, shedding, overload, scrape]
