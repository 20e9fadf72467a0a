/**
 * The demo (`pnpm demo`): strategies against a simulated long-tail service.
 */
import { Effect } from "effect"
import * as Simulation from "./simulation.js"

Effect.runPromise(Simulation.run).then(Simulation.print)
