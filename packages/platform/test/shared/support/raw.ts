/**
 * Plain node:http helpers for the shared server tests (no `effect`): a recording upstream,
 * a request with chosen headers, and a POST whose body never finishes arriving.
 */
import { createServer, request as httpRequest } from "node:http"
import type { IncomingHttpHeaders, Server } from "node:http"
import type { AddressInfo } from "node:net"

/** An answer: status and body. */
export interface Answer {
  readonly status: number
  readonly body: string
}

/** A loopback server answering 200 "ok" and recording each request's headers. */
export const recordingServer = async (): Promise<
  { readonly url: string; readonly seen: Array<IncomingHttpHeaders>; readonly close: () => Promise<void> }
> => {
  const seen: Array<IncomingHttpHeaders> = []
  const server: Server = createServer((request, response) => {
    seen.push(request.headers)
    response.end("ok")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A request to `url` with `headers` (and `body`, if any), without keep-alive: its answer. */
export const send = (
  url: string,
  headers: Record<string, string> = {},
  options: { readonly method?: string; readonly body?: string } = {}
): Promise<Answer> =>
  new Promise<Answer>((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? "GET", headers, agent: false }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resolve({ status: response.statusCode!, body }))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end(options.body)
  })

/**
 * A POST announcing a 1000-byte body and sending one byte of it: the body is still
 * arriving until `abort`. `outcome()` tells how the request ended so far: `"pending"`, the
 * status the server answered, or `"closed"` (the connection closed without an answer);
 * `ended` settles with the same once it is not pending.
 */
export const slowPost = (
  url: string,
  headers: Record<string, string>
): {
  readonly outcome: () => number | "pending" | "closed"
  readonly ended: Promise<number | "closed">
  readonly abort: () => void
} => {
  let outcome: number | "pending" | "closed" = "pending"
  const request = httpRequest(url, {
    method: "POST",
    headers: { ...headers, "content-length": "1000", "content-type": "text/plain" },
    agent: false
  })
  const ended = new Promise<number | "closed">((resolve) => {
    request.on("response", (response) => {
      response.resume()
      if (outcome === "pending") outcome = response.statusCode!
      resolve(outcome as number)
    })
    request.on("error", () => {
      if (outcome === "pending") outcome = "closed"
      resolve(outcome)
    })
  })
  request.write("x")
  return { outcome: () => outcome, ended, abort: () => request.destroy() }
}
