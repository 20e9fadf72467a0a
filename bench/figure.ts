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
  /**
   * Curves to plot (the runner draws one SVG per figure that has them), for
   * example latency against percentile, one series per strategy.
   */
  readonly series?: ReadonlyArray<Series>
  /** How to draw `series`; default `{ x: "linear", y: "linear" }`. */
  readonly plot?: Plot
}

/** One curve: `[x, y]` points, x increasing. */
export interface Series {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

/**
 * Axes of a plot. `"percentile"` takes x in (0, 1) and spreads the tail
 * (0.5, 0.9, 0.99, 0.999 … equally spaced), as latency plots usually do.
 */
export interface Plot {
  /** Default: the figure's title. */
  readonly title?: string
  readonly x?: "linear" | "log" | "percentile"
  readonly y?: "linear" | "log"
  readonly xLabel?: string
  readonly yLabel?: string
}

/**
 * True when the runner asks for a short smoke run (`pnpm bench --quick` sets
 * `BENCH_QUICK=1`): a benchmark should then do a small fraction of its work,
 * enough to show it runs and prints its figures.
 */
export const quick: boolean = process.env.BENCH_QUICK === "1"

/** Prints one `BENCH {json}` line for the runner. */
export const report = (figure: Figure): void => {
  console.log(`BENCH ${JSON.stringify(figure)}`)
}
