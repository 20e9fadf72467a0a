import { EventEmitter } from "node:events"
import { describe, expect, it } from "vitest"
import { arrivalNanos } from "../../src/http/arrival.js"

describe("http/arrival", () => {
  it("falls back to now without a platform request", () => {
    expect(arrivalNanos(undefined, 5n, () => 1n)).toBe(5n)
    expect(arrivalNanos("x", 5n, () => 1n)).toBe(5n)
    expect(arrivalNanos({}, 5n, () => 1n)).toBe(5n)
  })

  it("stamps later requests of a server as it emits them, never after now", () => {
    const server = new EventEmitter()
    let seen = 0
    server.on("request", () => seen++)
    let clock = 10n
    // the first request installs the stamp, once, in front of the other listeners
    expect(arrivalNanos({ socket: { server } }, 20n, () => clock)).toBe(20n)
    expect(arrivalNanos({ socket: { server } }, 21n, () => clock)).toBe(21n)
    expect(server.listenerCount("request")).toBe(2)
    const incoming: Record<symbol, unknown> = {}
    server.emit("request", incoming)
    expect(seen).toBe(1)
    clock = 50n
    const later = { ...incoming, socket: { server } }
    expect(arrivalNanos(later, 30n, () => clock)).toBe(10n)
    // a stamp after now (another clock) counts as now
    expect(arrivalNanos(later, 5n, () => clock)).toBe(5n)
  })
})
