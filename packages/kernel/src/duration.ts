/**
 * Durations in messages, and durations given as plain values. Every message
 * of every package writes a duration with `format` (Effect's compact
 * notation, a unit always: `0ms`, `250ms`, `1s 500ms`). A duration input given
 * as a plain value is read as Effect reads one (a number is milliseconds, a
 * bigint nanoseconds, `"<n> <unit>"` a string, `[seconds, nanos]` a pair), but
 * Effect silently reads a negative or NaN one as zero: `sign` tells them apart
 * before the glue decodes.
 */

/**
 * How a duration of `millis` reads in a message: Effect's `Duration.format`
 * notation (`1d 2h 3m 4s 5ms 6ns`, zero parts left out), except that zero is
 * `0ms` (a unit always) and an infinite duration `infinity`. Exact to the
 * nanosecond below about 12 days, to the millisecond beyond (a float's
 * precision).
 */
export const format = (millis: number): string => {
  if (Number.isNaN(millis)) return "NaN"
  if (millis < 0) return `-${format(-millis)}`
  if (millis === Infinity) return "infinity"
  let whole = Math.floor(millis)
  let nanos = Math.round((millis - whole) * 1e6)
  if (nanos === 1e6) {
    whole += 1
    nanos = 0
  }
  const seconds = Math.floor(whole / 1000)
  const minutes = Math.floor(seconds / 60)
  const hours = Math.floor(minutes / 60)
  const parts: Array<string> = []
  const days = Math.floor(hours / 24)
  if (days !== 0) parts.push(`${days}d`)
  if (hours % 24 !== 0) parts.push(`${hours % 24}h`)
  if (minutes % 60 !== 0) parts.push(`${minutes % 60}m`)
  if (seconds % 60 !== 0) parts.push(`${seconds % 60}s`)
  if (whole % 1000 !== 0) parts.push(`${whole % 1000}ms`)
  if (nanos !== 0) parts.push(`${nanos}ns`)
  return parts.length === 0 ? "0ms" : parts.join(" ")
}

/** The number part of Effect's duration strings, negative. */
const negativeString = /^-\d+(?:\.\d+)?\s/

/**
 * Whether a duration given as a plain value is below zero (`"negative"`) or
 * not a number (`"nan"`): a number (milliseconds), a bigint (nanoseconds), a
 * string `"-<n> <unit>"`, or a `[seconds, nanos]` pair. `undefined` for every
 * other value: zero or more, or a value only the glue can decode (a Duration,
 * a malformed string...).
 */
export const sign = (value: unknown): "negative" | "nan" | undefined => {
  if (typeof value === "number") return Number.isNaN(value) ? "nan" : value < 0 ? "negative" : undefined
  if (typeof value === "bigint") return value < BigInt(0) ? "negative" : undefined
  if (typeof value === "string") return negativeString.test(value) && parseFloat(value) < 0 ? "negative" : undefined
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "number") {
    const [seconds, nanos] = value as [number, number]
    if (Number.isNaN(seconds) || Number.isNaN(nanos)) return "nan"
    if (seconds === -Infinity || nanos === -Infinity) return "negative"
    if (seconds === Infinity || nanos === Infinity) return undefined
    // as Effect reads the pair: each part rounded to whole nanoseconds
    return Math.round(seconds * 1e9) + Math.round(nanos) < 0 ? "negative" : undefined
  }
  return undefined
}
