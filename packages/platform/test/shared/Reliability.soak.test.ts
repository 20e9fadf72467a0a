/**
 * The soak, short (docs/reliability.md, "Soak"): `pnpm soak` runs it for
 * minutes and checks the heap too; here a few hundred hedged requests with a
 * breaker and a budget against the chaos server's mixed routes must all
 * resolve, with no defect, no unhandled error, no socket and no fiber left. On both lines.
 */
import { assert, describe, Effect, it } from "@aio-request/line/platform-testkit"
import * as Soak from "./support/soak.js"

describe("soak (short)", () => {
  for (const transport of ["undici", "node:http"] as const) {
    it.live(
      `200 hedged requests, 16 in flight, over ${transport}: all resolved, nothing left behind`,
      () =>
        Effect.gen(function*() {
          const report = yield* Soak.run({ count: 200, concurrency: 16, transport })
          console.log(`soak over ${transport}: ${JSON.stringify(report)}`)
          assert.strictEqual(report.requests, 200)
          assert.strictEqual(report.resolved, 200, "every request ended with an answer or a typed error")
          assert.strictEqual(report.defects, 0)
          assert.strictEqual(report.unhandled, 0)
          assert.strictEqual(report.openSockets, 0, "sockets open on the server once the load stopped")
          assert.strictEqual(report.fibersLeft, 0, "fibers of the run still alive")
        }),
      60_000
    )
  }
})
