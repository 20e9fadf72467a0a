/** The demo's scenes, in the order `pnpm demo` runs them. */
import { scene as deadline } from "./deadline.js"
import { scene as hedging } from "./hedging.js"
import type { Scene } from "./shared.js"

export const scenes: ReadonlyArray<Scene> = [hedging, deadline]
