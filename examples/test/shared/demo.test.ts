/**
 * The demo's scenes (`pnpm demo`), each run in quick mode (a smaller load), on
 * both lines (examples/vitest.config.ts and effect4/examples/vitest.config.ts
 * map `@aio-request/line/*`): each ends, closes its servers, and returns
 * figures that add up.
 */
import { Effect, line, Main, withOutput } from "@aio-request/line/demo"
import { describe, expect, it } from "@aio-request/line/testkit"
import { scenes } from "../../src/demo/scenes.js"

/** Runs one scene quickly; returns its figures and what it printed. */
const run = (name: string) => {
  const scene = scenes.find((s) => s.name === name)!
  const printed: Array<string> = []
  return Effect.runPromise(
    scene.run({ quick: true }).pipe(withOutput((text) => void printed.push(text)), Effect.provide(Main))
  ).then((figures) => ({ figures, output: printed.join("\n") }))
}

describe(`demo scenes (quick), on ${line.name}`, () => {
  it("has one scene per capability, with unique names", () => {
    expect(scenes.map((s) => s.name)).toEqual([
      "hedging",
      "deadline",
      "circuit",
      "budget",
      "shedding",
      "overload",
      "scrape"
    ])
  })

  it("hedging: the figures at both ends add up", async () => {
    const { figures, output } = await run("hedging")
    expect(figures.agree).toBe(1)
    expect(figures["single.extra"]).toBe(0)
    expect(output).toContain("adds up")
  }, 60_000)

  it("deadline: the upstream sees less than the front, and is not called past the deadline", async () => {
    const { figures, output } = await run("deadline")
    expect(figures.upstreamCalls).toBe(figures.requests! - 1)
    expect(output).toContain("not called")
  }, 30_000)

  it("circuit: opens, fails fast, half-opens and closes", async () => {
    const { figures, output } = await run("circuit")
    for (const step of ["closed → open", "open → half-open", "half-open → closed"]) expect(output).toContain(step)
    expect(figures.failedFast).toBeGreaterThan(0)
    expect(figures.upstreamCalls).toBeLessThan(figures.requests!)
  }, 30_000)

  it("budget: fewer attempts with the budget, attempts = requests + retries", async () => {
    const { figures } = await run("budget")
    expect(figures["with.attempts"]).toBeLessThan(figures["without.attempts"]!)
    expect(figures["with.attempts"]! - figures["with.retries"]!).toBe(40)
  }, 60_000)

  it("shedding: low is shed more than high; every shed request counted by the server", async () => {
    const { figures } = await run("shedding")
    const shedShare = (p: string) => figures[`${p}.shed`]! / figures[`${p}.sent`]!
    expect(shedShare("low")).toBeGreaterThan(shedShare("high"))
    expect(figures["high.serverShed"]! + figures["normal.serverShed"]! + figures["low.serverShed"]!)
      .toBeGreaterThanOrEqual(figures["high.shed"]! + figures["normal.shed"]! + figures["low.shed"]!)
  }, 30_000)

  it("overload: both modes run the same load; every request and every wasted attempt accounted for", async () => {
    const { figures, output } = await run("overload")
    for (const mode of ["baseline", "protected"]) {
      for (const phase of ["unloaded", "overload"]) {
        for (const p of ["high", "normal", "low"]) {
          const at = (key: string) => figures[`${mode}.${phase}.${p}.${key}`]!
          expect(at("ok") + at("shed") + at("other")).toBe(at("sent"))
          expect(at("wasted")).toBeLessThanOrEqual(at("attempts"))
        }
      }
      expect(figures[`${mode}.overload.low.sent`]).toBe(figures["baseline.overload.low.sent"])
    }
    expect(output).toContain("wasted (503)")
    expect(figures.wired).toBe(1)
    expect(output.includes("protected mode not yet wired")).toBe(figures.wired === 0)
  }, 90_000)

  it("scrape: prints the metric lines", async () => {
    const { figures, output } = await run("scrape")
    expect(figures.lines).toBeGreaterThan(0)
    expect(figures.started).toBe(figures.requests! + figures.hedges!)
    expect(output).toContain("aio_request_attempts_total")
  }, 30_000)
})
