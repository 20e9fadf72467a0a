import { HttpRequest } from "@aio-request/line/platform"
import { assert, describe, HttpClientRequest, it, urlPairs } from "@aio-request/line/platform-testkit"
import * as fc from "fast-check"

describe("HttpRequest", () => {
  it("substitutes percent-encoded path parameters and keeps the template", () => {
    const request = HttpRequest.get("users/{id}/files/{name}", { path: { id: 7, name: "a/b ?#%" } })
    assert.strictEqual(request.method, "GET")
    assert.strictEqual(request.url, "users/7/files/a%2Fb%20%3F%23%25")
    assert.strictEqual(HttpRequest.pathTemplate(request), "users/{id}/files/{name}")
  })

  it("never lets a parameter change the path outside its segment", () => {
    fc.assert(fc.property(fc.string(), (value) => {
      const url = HttpRequest.get("a/{p}/b", { path: { p: value } }).url
      if (value === "." || value === "..") {
        assert.isTrue(url.startsWith("http://["), "a dot segment makes the URL invalid")
        return
      }
      const segments = url.split("/")
      assert.strictEqual(segments.length, 3)
      assert.strictEqual(decodeURIComponent(segments[1]!), value)
    }))
  })

  it("makes a missing parameter an invalid URL", () => {
    // a type error too now (the template types its parameters): the run-time refusal is what is tested here
    // @ts-expect-error path.id is required
    assert.throws(() => new URL(HttpRequest.get("users/{id}").url))
  })

  it("makes a parameter without a placeholder an invalid URL, naming it (an Express-style :id is not a placeholder)", () => {
    for (const template of ["items/:id", "items/{item}/x"]) {
      const url = HttpRequest.get(template, { path: template === "items/:id" ? { id: 1 } : { item: 1, id: 2 } }).url
      assert.throws(() => new URL(url))
      assert.include(decodeURIComponent(url), `unused path parameter "id" for ${template}: no {id} in the path`)
    }
    assert.strictEqual(HttpRequest.get("items/{id}", { path: { id: 1 } }).url, "items/1")
    assert.strictEqual(HttpRequest.get("items", { path: {} }).url, "items")
  })

  it("repeats array query keys, drops undefined, stringifies numbers and booleans", () => {
    const request = HttpRequest.get("search", { query: { q: "x y", tag: ["a", 1, false], skip: undefined, n: 0 } })
    assert.deepStrictEqual(urlPairs(request.urlParams), [["q", "x y"], ["tag", "a"], ["tag", "1"], ["tag", "false"], [
      "n",
      "0"
    ]])
  })

  it("builds every method, JSON bodies and headers", () => {
    const methods = [
      [HttpRequest.get, "GET"],
      [HttpRequest.post, "POST"],
      [HttpRequest.put, "PUT"],
      [HttpRequest.patch, "PATCH"],
      [HttpRequest.delete, "DELETE"],
      [HttpRequest.head, "HEAD"],
      [HttpRequest.options, "OPTIONS"]
    ] as const
    for (const [make, method] of methods) assert.strictEqual(make("x").method, method)
    const json = HttpRequest.putJson("items/{id}", { a: "é" }, { path: { id: 1 }, headers: { "X-Trace": "t" } })
    assert.strictEqual(json.method, "PUT")
    assert.strictEqual(json.headers["content-type"], "application/json")
    assert.strictEqual(json.headers["x-trace"], "t")
    assert.strictEqual(json.body._tag, "Uint8Array")
    assert.strictEqual(HttpRequest.postJson("x", 1).method, "POST")
    assert.strictEqual(HttpRequest.patchJson("x", 1).method, "PATCH")
  })

  it("the template survives request combinators; plain requests use their path", () => {
    const request = HttpRequest.get("users/{id}", { path: { id: 1 } }).pipe(
      HttpClientRequest.setHeader("x-a", "1"),
      HttpClientRequest.bearerToken("t"),
      HttpClientRequest.setUrlParam("v", "2")
    )
    assert.strictEqual(HttpRequest.pathTemplate(request), "users/{id}")
    assert.strictEqual(HttpRequest.pathTemplate(HttpClientRequest.get("thing?x=1")), "thing")
    assert.strictEqual(HttpRequest.pathTemplate(HttpClientRequest.get("http://h:1/a/b?x#y")), "/a/b")
    assert.strictEqual(
      HttpRequest.pathTemplate(HttpClientRequest.get("users/1").pipe(HttpRequest.withPathTemplate("users/{id}"))),
      "users/{id}"
    )
    assert.strictEqual(HttpRequest.pathTemplate(HttpRequest.get("café/{x}", { path: { x: 1 } })), "café/{x}")
  })
})
