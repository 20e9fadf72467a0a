import { CircuitBreaker, Deadline } from "@aio-request/line/core"
import { Headers, ResponseClassifier } from "@aio-request/line/platform"
import {
  assert,
  describe,
  Duration,
  Exit,
  interruptExit,
  it,
  refused as illegal,
  responseExit as response,
  TooManyRedirectsError,
  transportErrorExit
} from "@aio-request/line/platform-testkit"

describe("ResponseClassifier.default", () => {
  const classify = ResponseClassifier.default()

  it("accepts 2xx, 3xx, 4xx; rejects 5xx, 408, 429", () => {
    for (const status of [200, 204, 301, 400, 404, 409]) assert.strictEqual(classify(response(status)), "accept")
    for (const status of [500, 502, 503, 504, 408, 429]) assert.strictEqual(classify(response(status)), "reject")
  })

  it("accepts any response with X-Do-Not-Retry", () => {
    assert.strictEqual(classify(response(503, { [Headers.DoNotRetry]: "1" })), "accept")
  })

  it("consults verdictForStatus first", () => {
    const custom = ResponseClassifier.default({ verdictForStatus: { 404: "reject", 503: "accept" } })
    assert.strictEqual(custom(response(404)), "reject")
    assert.strictEqual(custom(response(503)), "accept")
    assert.strictEqual(custom(response(404, { [Headers.DoNotRetry]: "1" })), "reject")
  })

  it("refuses a bad verdictForStatus at construction, naming the option (JavaScript callers)", () => {
    const refused = (options: unknown): string => illegal(() => ResponseClassifier.default(options as any))
    assert.strictEqual(
      refused({ verdictForStatus: { 404: "retry" } }),
      "ResponseClassifier.default: option \"verdictForStatus.404\" must be \"accept\" or \"reject\", got \"retry\""
    )
    assert.strictEqual(
      refused({ verdictForStatus: { notFound: "reject" } }),
      "ResponseClassifier.default: option \"verdictForStatus\" must be keyed by HTTP status codes (100 to 599), got \"notFound\""
    )
    assert.match(refused({ verdictForStatus: { 600: "reject" } }), /option "verdictForStatus" must be keyed by HTTP/)
    assert.match(refused({ verdictForStatus: { 404: true } }), /option "verdictForStatus.404" must be/)
    assert.match(refused({ verdictForStatus: { 404: null } }), /option "verdictForStatus.404" must be/)
    assert.match(
      refused({ verdictForStatus: "reject" }),
      /^ResponseClassifier.default: option "verdictForStatus" must be an object/
    )
    assert.match(refused({ verdictForStatus: null }), /option "verdictForStatus" must be an object/)
    assert.match(refused({ verdictForStatus: [] }), /option "verdictForStatus" must be an object/)
    assert.match(refused("no"), /^ResponseClassifier.default: option "options" must be an object/)
    assert.match(refused(null), /option "options" must be an object/)
  })

  it("keeps its own copy of verdictForStatus", () => {
    const table: Record<number, "accept" | "reject"> = { 404: "reject" }
    const custom = ResponseClassifier.default({ verdictForStatus: table })
    table[404] = "accept"
    assert.strictEqual(custom(response(404)), "reject")
    assert.strictEqual(ResponseClassifier.default({})(response(404)), "accept")
    assert.strictEqual(ResponseClassifier.default({ verdictForStatus: undefined })(response(503)), "reject")
  })

  it("rejects transport errors, deadlines and open circuits; accepts too many redirects", () => {
    assert.strictEqual(classify(transportErrorExit()), "reject")
    assert.strictEqual(classify(Exit.fail(new Deadline.DeadlineExceededError({ reason: "expired" }))), "reject")
    assert.strictEqual(
      classify(Exit.fail(new CircuitBreaker.CircuitBreakerOpenError({ scope: "x", retryAfter: Duration.zero }))),
      "reject"
    )
    assert.strictEqual(classify(Exit.fail(new TooManyRedirectsError({ locations: [] }))), "accept")
    assert.strictEqual(classify(interruptExit()), "reject")
  })
})
