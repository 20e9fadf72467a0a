import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { bodyStillArriving } from "../../src/http/arrival.js"
import * as Trust from "../../src/http/trust.js"
import * as Priority from "../../src/priority.js"

const limits: Trust.Limits = {
  maxTimeoutMillis: 300_000,
  untrustedMaxTimeoutMillis: 20_000,
  untrustedMaxPriority: "normal"
}
const claims = fc.record({
  priority: fc.option(fc.constantFrom(...Priority.priorities), { nil: undefined }),
  timeoutMillis: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined })
})
const rank = (p: Priority.Priority) => Priority.priorities.length - Priority.priorities.indexOf(p)

describe("trust: what is believed of a caller's headers", () => {
  it("an untrusted caller gets at most the untrusted caps; less is believed as sent", () => {
    fc.assert(fc.property(claims, (claimed) => {
      const believed = Trust.believe(claimed, () => false, limits)
      const priorityOk = claimed.priority === undefined
        ? believed.priority === undefined
        : believed.priority === Priority.atMost(claimed.priority, "normal")
      const timeoutOk = claimed.timeoutMillis === undefined
        ? believed.timeoutMillis === undefined
        : believed.timeoutMillis === Math.min(claimed.timeoutMillis, limits.untrustedMaxTimeoutMillis)
      return priorityOk && timeoutOk
    }))
    expect(Trust.believe({ priority: "high", timeoutMillis: 300_000 }, () => false, limits))
      .toEqual({ priority: "normal", timeoutMillis: 20_000 })
    expect(Trust.believe({ priority: "low", timeoutMillis: 1_000 }, () => false, limits))
      .toEqual({ priority: "low", timeoutMillis: 1_000 })
  })

  it("a trusted caller is believed, its deadline capped by maxTimeout", () => {
    fc.assert(fc.property(claims, (claimed) => {
      const believed = Trust.believe(claimed, () => true, limits)
      return believed.priority === claimed.priority &&
        believed.timeoutMillis === (claimed.timeoutMillis === undefined
            ? undefined
            : Math.min(claimed.timeoutMillis, limits.maxTimeoutMillis))
    }))
  })

  it("asks trust only of a claim above the untrusted caps", () => {
    fc.assert(fc.property(claims, (claimed) => {
      let asked = false
      Trust.believe(claimed, () => (asked = true), limits)
      const above = (claimed.priority !== undefined && rank(claimed.priority) > rank("normal")) ||
        (claimed.timeoutMillis !== undefined && claimed.timeoutMillis > limits.untrustedMaxTimeoutMillis)
      return asked === above
    }))
  })
})

describe("trust: private networks", () => {
  it("loopback, RFC 1918, link-local, IPv6 loopback, ULA and link-local, mapped IPv4", () => {
    for (
      const address of [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.0.9",
        "::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "::ffff:10.1.2.3",
        "::FFFF:127.0.0.1"
      ]
    ) expect(Trust.isPrivateAddress(address), address).toBe(true)
  })

  it("public and malformed addresses are not", () => {
    for (
      const address of [
        "8.8.8.8",
        "172.32.0.1",
        "172.15.0.1",
        "192.169.0.1",
        "100.64.0.1",
        "2001:db8::1",
        "fc::1",
        "::ffff:8.8.8.8",
        "10.0.0.256",
        "10.0.0",
        "",
        "localhost",
        "::"
      ]
    ) expect(Trust.isPrivateAddress(address), address).toBe(false)
    fc.assert(fc.property(fc.string(), (s) => typeof Trust.isPrivateAddress(s) === "boolean"))
  })

  it("the default trust: a private address, or none told", () => {
    expect(Trust.defaultTrust(undefined)).toBe(true)
    expect(Trust.defaultTrust("10.1.1.1")).toBe(true)
    expect(Trust.defaultTrust("203.0.113.7")).toBe(false)
  })
})

describe("a body still arriving", () => {
  it("is a Node message not yet complete; anything else is not", () => {
    expect(bodyStillArriving({ complete: false })).toBe(true)
    expect(bodyStillArriving({ complete: true })).toBe(false)
    expect(bodyStillArriving({})).toBe(false)
    expect(bodyStillArriving(null)).toBe(false)
    expect(bodyStillArriving(new Request("http://x.test/"))).toBe(false)
  })
})
