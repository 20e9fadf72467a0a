/**
 * `pnpm soak [--duration 2m] [--count N] [--concurrency 32] [--transport undici|node:http|fetch] [--heap-bound 16]`
 *
 * Runs the soak (test/shared/support/soak.ts, on Effect 3) and prints its numbers; exits 1 when a check
 * fails: a request unresolved or ending in a defect, an unhandled error, a
 * socket or a fiber left, heap growth after warm-up at or above the bound (MiB;
 * measured with `--expose-gc`, which the root script passes).
 */
import { Duration, Effect } from "effect"
import { parseArgs } from "node:util"
import * as Soak from "../test/shared/support/soak.js"

const { values } = parseArgs({
  options: {
    count: { type: "string" },
    duration: { type: "string" },
    concurrency: { type: "string", default: "32" },
    transport: { type: "string", default: "undici" },
    "heap-bound": { type: "string", default: "16" }
  }
})

/** `90s`, `2m`, `500ms`, or plain seconds. */
const parseDuration = (input: string): Duration.Duration => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(input.trim())
  if (match === null) throw new Error(`--duration: cannot read ${JSON.stringify(input)} (try 90s, 2m, 500ms)`)
  const unit = { ms: "millis", s: "seconds", m: "minutes", h: "hours" }[match[2] ?? "s"]
  return Duration.decode(`${match[1]} ${unit}` as Duration.DurationInput)
}

const count = values.count === undefined ? undefined : Number(values.count)
// minutes by default: two of them, unless a count is given
const duration = values.duration !== undefined
  ? parseDuration(values.duration)
  : count === undefined
  ? Duration.minutes(2)
  : undefined
const heapBound = Number(values["heap-bound"])
const options: Soak.Options = {
  count,
  duration,
  concurrency: Number(values.concurrency),
  transport: values.transport as Soak.Options["transport"],
  heap: true,
  log: (line) => console.log(line)
}

console.log(
  `soak: ${count ?? "unbounded"} requests, ${
    duration === undefined ? "no time limit" : Duration.format(duration)
  }, ${options.concurrency} in flight, over ${options.transport}`
)
if ((globalThis as { gc?: unknown }).gc === undefined) console.log("(no --expose-gc: heap figures are rough)")

const report = await Effect.runPromise(Soak.run(options))
console.log(JSON.stringify(report, null, 2))

const failures: Array<string> = []
if (report.resolved !== report.requests) failures.push(`${report.requests - report.resolved} request(s) not resolved`)
if (report.defects > 0) failures.push(`${report.defects} defect(s)`)
if (report.unhandled > 0) failures.push(`${report.unhandled} unhandled error(s)`)
if (report.openSockets > 0) failures.push(`${report.openSockets} socket(s) left open`)
if (report.fibersLeft > 0) failures.push(`${report.fibersLeft} fiber(s) left`)
if (report.heap === undefined) console.log("heap: not measured (the run ended before warm-up did)")
else if (report.heap.growthMiB >= heapBound) {
  failures.push(`heap grew ${report.heap.growthMiB} MiB after warm-up (bound ${heapBound} MiB)`)
}
console.log(failures.length === 0 ? "soak: PASS" : `soak: FAIL\n- ${failures.join("\n- ")}`)
process.exitCode = failures.length === 0 ? 0 : 1
