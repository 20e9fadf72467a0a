import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as PathTemplate from "../../src/http/pathTemplate.js"

const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/)

describe("http/pathTemplate", () => {
  it("substitutes each placeholder, percent-encoded", () => {
    expect(PathTemplate.substitute("users/{id}/posts/{post}", { id: "a b", post: 7 })).toBe("users/a%20b/posts/7")
    expect(PathTemplate.substitute("users/{id}?x=1", { id: "1" })).toBe("users/1?x=1")
    expect(PathTemplate.substitute("plain", undefined)).toBe("plain")
  })

  it("refuses a missing, unused or malformed parameter, a dot segment, a placeholder in the query", () => {
    for (
      const url of [
        PathTemplate.substitute("users/{id}", {}),
        PathTemplate.substitute("users/{id}", { id: 1, other: 2 }),
        PathTemplate.substitute("users/:id", { id: 1 }),
        PathTemplate.substitute("users/{id}", { id: "\ud800" }),
        PathTemplate.substitute("users/{id}/x", { id: ".." }),
        PathTemplate.substitute("users?q={q}", { q: "x" })
      ]
    ) {
      expect(PathTemplate.isRefused(url)).toBe(true)
      expect(() => new URL(url)).toThrow()
    }
  })

  it("says why in plain words: the parameter, the template and what was given", () => {
    expect(PathTemplate.refusal(PathTemplate.substitute("users/{id}", { idd: 1 }))).toBe(
      "missing path parameter \"id\" for users/{id} (got: idd)"
    )
    expect(PathTemplate.refusal(PathTemplate.substitute("users/{id}", undefined))).toBe(
      "missing path parameter \"id\" for users/{id} (got: nothing)"
    )
    expect(PathTemplate.refusal(PathTemplate.substitute("users/{id}", { id: 1, extra: 2 }))).toBe(
      "unused path parameter \"extra\" for users/{id}: no {extra} in the path (placeholders: id)"
    )
    expect(PathTemplate.refusal(PathTemplate.substitute("users/:id", { id: 1 }))).toBe(
      "unused path parameter \"id\" for users/:id: no {id} in the path (placeholders: none)"
    )
    expect(PathTemplate.refusal(PathTemplate.substitute("users/{id}", { id: 1 }))).toBeUndefined()
  })

  it("refuses with a URL no client parses, whatever the template and names hold", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (template, extra) => {
      const url = PathTemplate.substitute(`${template}/{id}`, { [extra]: 1 })
      if (!PathTemplate.isRefused(url)) return extra === "id"
      expect(() => new URL(url)).toThrow()
      expect(() => new URL(url, "http://example.com/")).toThrow()
      return PathTemplate.refusal(url) !== undefined
    }))
  })

  it("never leaves a placeholder in a substituted path, and each value decodes back", () => {
    fc.assert(fc.property(
      fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
      fc.array(fc.string({ unit: "binary" }), { minLength: 4, maxLength: 4 }),
      (names, values) => {
        const template = names.map((n) => `{${n}}`).join("/")
        const path = Object.fromEntries(names.map((n, i) => [n, values[i]!]))
        const url = PathTemplate.substitute(template, path)
        if (PathTemplate.isRefused(url)) return true
        const segments = url.split("/")
        return !/[{}]/.test(url) && segments.every((segment, i) => decodeURIComponent(segment) === values[i])
      }
    ))
  })

  it("refuses any parameter the template has no placeholder for", () => {
    fc.assert(fc.property(name, name, (used, extra) => {
      fc.pre(used !== extra)
      return PathTemplate.isRefused(PathTemplate.substitute(`a/{${used}}`, { [used]: "1", [extra]: "2" }))
    }))
  })

  it("encodes the query as pairs, a list as repeated keys, undefined left out", () => {
    expect(PathTemplate.queryPairs({ a: 1, b: [true, "x"], c: undefined })).toEqual([["a", "1"], ["b", "true"], [
      "b",
      "x"
    ]])
    expect(PathTemplate.queryPairs(undefined)).toEqual([])
  })

  it("carries the template through a header value and back", () => {
    fc.assert(fc.property(fc.string(), (template) => {
      try {
        return PathTemplate.decodeTemplate(PathTemplate.encodeTemplate(template)) === template
      } catch {
        return true // a lone surrogate does not encode; build never sees one in a template it accepts
      }
    }))
    expect(PathTemplate.decodeTemplate("%E0%A4%A")).toBe("%E0%A4%A")
  })

  it("labels an untemplated request with its path, without query or fragment", () => {
    expect(PathTemplate.pathOf("http://h:1/a/b?x=1#f")).toBe("/a/b")
    expect(PathTemplate.pathOf("a/b#f?x")).toBe("a/b")
    expect(PathTemplate.isAbsolute("https://x")).toBe(true)
    expect(PathTemplate.isAbsolute("/x")).toBe(false)
    fc.assert(fc.property(fc.string(), (url) => !/[?#]/.test(PathTemplate.pathOf(url)) || PathTemplate.isAbsolute(url)))
  })
})
