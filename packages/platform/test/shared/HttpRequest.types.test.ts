/**
 * Path parameters typed from the template (issue 21 item 5). This file is
 * checked by `tsc -p tsconfig.json` and `tsc -p effect4/tsconfig.json` (both
 * lines): each `@ts-expect-error` line must be a type error, every other line
 * must compile. The run-time checks stay for
 * templates typed `string` (see HttpRequest.test.ts).
 */
import { HttpRequest } from "@aio-request/line/platform"
import { assert, describe, it } from "@aio-request/line/platform-testkit"

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const typeIs = <T extends true>(_: T) => undefined

describe("HttpRequest path types", () => {
  it("requires each placeholder of a literal template and refuses any other name", () => {
    const requests = [
      HttpRequest.get("users/{id}", { path: { id: 1 } }),
      HttpRequest.get("users/{id}/posts/{post}", { path: { id: "a", post: 2 }, query: { page: 1 } }),
      HttpRequest.postJson("users/{id}", { name: "Ada" }, { path: { id: 1 } }),
      HttpRequest.delete("users/{id}", { path: { id: 1 } }),
      // @ts-expect-error idd is not a placeholder of users/{id} (and id is missing)
      HttpRequest.get("users/{id}", { path: { idd: 1 } }),
      // @ts-expect-error an unknown name beside the right one
      HttpRequest.get("users/{id}", { path: { id: 1, extra: 2 } }),
      // @ts-expect-error post is missing
      HttpRequest.put("users/{id}/posts/{post}", { path: { id: 1 } }),
      // @ts-expect-error the options (and their path) are required when the template has a placeholder
      HttpRequest.get("users/{id}"),
      // @ts-expect-error path is required when the template has a placeholder
      HttpRequest.get("users/{id}", { query: { a: 1 } }),
      // @ts-expect-error a value is a string or a number
      HttpRequest.get("users/{id}", { path: { id: true } }),
      // @ts-expect-error the body comes before the options
      HttpRequest.patchJson("users/{id}", { path: { id: 1 } })
    ]
    assert.strictEqual(requests[0]!.url, "users/1")
  })

  it("takes no path, or an empty one, for a template without placeholders", () => {
    HttpRequest.get("users")
    HttpRequest.get("users", { query: { page: 2 } })
    HttpRequest.get("users", { path: {} })
    // @ts-expect-error users has no placeholder
    HttpRequest.get("users", { path: { id: 1 } })
    // a placeholder in the query is not a path parameter (refused at run time: use options.query)
    // @ts-expect-error q is not in the path
    HttpRequest.get("search?q={q}", { path: { q: "x" } })
  })

  it("keeps accepting any record for a template typed string (dynamic templates)", () => {
    const template: string = ["users", "{id}"].join("/")
    const path: Readonly<Record<string, string | number>> = { id: 1 }
    assert.strictEqual(HttpRequest.get(template, { path }).url, "users/1")
    assert.strictEqual(HttpRequest.get(template, { path: { id: 2 } }).url, "users/2")
    HttpRequest.get(template)
    const options: HttpRequest.HttpRequest.Options = { path: { anything: 1 } }
    HttpRequest.post(template, options)
  })

  it("names the placeholders of a template", () => {
    typeIs<Equals<HttpRequest.HttpRequest.Placeholders<"a/{x}/b/{y}?q=1">, "x" | "y">>(true)
    typeIs<Equals<HttpRequest.HttpRequest.Placeholders<"a/b">, never>>(true)
    typeIs<Equals<HttpRequest.HttpRequest.Placeholders<"{x}.{y}">, "x" | "y">>(true)
    typeIs<
      Equals<HttpRequest.HttpRequest.PathParameters<"a/{x}">, { readonly x: string | number }>
    >(true)
  })
})
