/**
 * Whose `X-Request-Priority` and `X-Request-Timeout` the server middleware
 * believes: a trusted caller's as sent (the deadline capped by `maxTimeout`),
 * an untrusted caller's priority capped by `untrustedMaxPriority` and its
 * deadline by `untrustedMaxTimeout`. The default trust: callers on loopback
 * and private networks.
 */
import * as priority from "../priority.js"

/** The caps, resolved once from the middleware's options. */
export interface Limits {
  readonly maxTimeoutMillis: number
  readonly untrustedMaxTimeoutMillis: number
  readonly untrustedMaxPriority: priority.Priority
}

/** What the headers say, as parsed (`undefined`: no valid header). */
export interface Claimed {
  readonly priority: priority.Priority | undefined
  readonly timeoutMillis: number | undefined
}

/**
 * What the middleware believes of a caller's claim: a lower priority or a
 * shorter deadline than the untrusted caps is believed from anyone (it only
 * costs the caller), and `trusted` is asked only of a claim above them; a
 * trusted caller's deadline is capped by `maxTimeoutMillis`, an untrusted
 * caller's priority and deadline by the untrusted caps.
 */
export const believe = (claimed: Claimed, trusted: () => boolean, limits: Limits): Claimed => {
  const above = (claimed.priority !== undefined &&
    priority.atMost(claimed.priority, limits.untrustedMaxPriority) !== claimed.priority) ||
    (claimed.timeoutMillis !== undefined && claimed.timeoutMillis > limits.untrustedMaxTimeoutMillis)
  if (!above) return claimed
  if (trusted()) {
    return claimed.timeoutMillis === undefined || claimed.timeoutMillis <= limits.maxTimeoutMillis
      ? claimed
      : { priority: claimed.priority, timeoutMillis: limits.maxTimeoutMillis }
  }
  return {
    priority: claimed.priority === undefined
      ? undefined
      : priority.atMost(claimed.priority, limits.untrustedMaxPriority),
    timeoutMillis: claimed.timeoutMillis === undefined
      ? undefined
      : Math.min(claimed.timeoutMillis, limits.untrustedMaxTimeoutMillis)
  }
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

const privateIpv4 = (address: string): boolean => {
  const match = ipv4.exec(address)
  if (match === null) return false
  const [a, b] = [Number(match[1]), Number(match[2])]
  if (match.slice(1).some((part) => Number(part) > 255)) return false
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
    (a === 169 && b === 254)
}

/**
 * Whether `address` (an IP address as a server reports its peer's) is on
 * loopback or a private network: IPv4 127/8, 10/8, 172.16/12, 192.168/16,
 * link-local 169.254/16; IPv6 `::1`, unique local fc00::/7, link-local
 * fe80::/10; and IPv4 addresses mapped into IPv6 (`::ffff:10.0.0.1`).
 * Anything else, a malformed address included, is `false`.
 */
export const isPrivateAddress = (address: string): boolean => {
  const lower = address.trim().toLowerCase()
  if (lower.includes(":")) {
    if (lower.startsWith("::ffff:")) return privateIpv4(lower.slice(7))
    if (lower === "::1") return true
    return /^f[cd][0-9a-f]{2}:/.test(lower) || /^fe[89ab][0-9a-f]:/.test(lower)
  }
  return privateIpv4(lower)
}

/**
 * The default trust: a caller whose address is on loopback or a private
 * network (`isPrivateAddress`), or whose address the platform does not tell.
 */
export const defaultTrust = (remoteAddress: string | undefined): boolean =>
  remoteAddress === undefined || isPrivateAddress(remoteAddress)
