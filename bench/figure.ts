/**
 * One figure a benchmark reports. Every benchmark prints its human-readable
 * lines as it likes and, for each figure worth a row in the summary, one line
 * `BENCH {json}` made by `report`; the `pnpm bench` runner collects those lines
 * into the summary table, `bench/results/*.json` and the plots.
 */
export interface Figure {
  /** Stable id, `area.what`, for example `"client.resilient_vs_bare"`. */
  readonly id: string
  /** What is measured, for a person. */
  readonly title: string
  readonly value: number
  /** `"µs/op"`, `"ns/op"`, `"req/s"`, `"ms"`, `"%"`, `"x"` (a ratio) … */
  readonly unit: string
  /** What the value is compared with, measured in the same run. */
  readonly anchor?: string
  readonly anchorValue?: number
  /** value / anchorValue (or the figure's own ratio), where it means something. */
  readonly ratio?: number
  /** The target, as written in the issue, for example `"≥ 0.80"` or `"≤ 1.0× cockatiel"`. */
  readonly target?: string
  /** Whether this run met the target. */
  readonly met?: boolean
}

/** Prints one `BENCH {json}` line for the runner. */
export const report = (figure: Figure): void => {
  console.log(`BENCH ${JSON.stringify(figure)}`)
}
