import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as ContentType from "../../src/http/contentType.js"

const token = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/)

describe("http/contentType", () => {
  it("reads application/json and application/*+json, with parameters, in any case", () => {
    for (
      const value of [
        "application/json",
        "application/json; charset=utf-8",
        " Application/JSON ;charset=UTF-8",
        "application/problem+json",
        "application/vnd.api+json; charset=utf-8"
      ]
    ) expect(ContentType.isJson(value, [])).toBe(true)
    fc.assert(
      fc.property(
        token,
        fc.string(),
        (subtype, parameters) => ContentType.isJson(`application/${subtype}+json; ${parameters.replace(/;/g, "")}`, [])
      )
    )
  })

  it("refuses anything else, a missing or empty content type included, unless added", () => {
    for (const value of [undefined, "", "text/html", "application/jsonp", "application/json-seq", "text/json+xml"]) {
      expect(ContentType.isJson(value, [])).toBe(false)
    }
    expect(ContentType.isJson("text/plain; charset=utf-8", ["text/plain"])).toBe(true)
    expect(ContentType.isJson(undefined, ["text/plain"])).toBe(false)
    fc.assert(
      fc.property(token, token, (type, subtype) =>
        ContentType.isJson(`${type}/${subtype}`, [`${type}/${subtype}`]) &&
        (ContentType.isJson(`${type}/${subtype}`, []) === (type === "application" && subtype === "json")))
    )
  })

  it("names what it got", () => {
    expect(ContentType.unexpected("text/html")).toContain(`got "text/html"`)
    expect(ContentType.unexpected(undefined)).toContain("got no content-type")
    expect(ContentType.mediaType("Text/HTML; charset=utf-8")).toBe("text/html")
    expect(ContentType.isMediaType("text/plain")).toBe(true)
    expect(ContentType.isMediaType("text/plain; charset=utf-8")).toBe(false)
  })
})
