import { describe, expect, it } from "vitest"
import * as Options from "../src/observability/options.js"

describe("observability options", () => {
  it("port: an integer in [0, 65535]", () => {
    for (const good of [0, 1, 9464, 65535]) expect(Options.port(good)).toBeUndefined()
    for (const bad of [-1, 65536, 1.5, "9464", null, undefined, {}]) expect(Options.port(bad)).toBeDefined()
  })

  it("path: absolute, no query, no fragment", () => {
    for (const good of ["/", "/metrics", "/a/b"]) expect(Options.path(good)).toBeUndefined()
    for (const bad of ["metrics", "/m?x=1", "/m#x", "", ["/m"], 1]) expect(Options.path(bad)).toBeDefined()
  })

  it("stringRecord: names the entry at fault", () => {
    expect(Options.stringRecord({})).toBeUndefined()
    expect(Options.stringRecord({ a: "b", c: "" })).toBeUndefined()
    expect(Options.stringRecord(null)).toEqual(["", "a record of strings"])
    expect(Options.stringRecord([])).toEqual(["", "a record of strings"])
    expect(Options.stringRecord("a=b")).toEqual(["", "a record of strings"])
    expect(Options.stringRecord({ a: "b", team: 1 })).toEqual(["team", "a string"])
  })
})
