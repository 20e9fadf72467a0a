/**
 * Server pushback (as gRPC's retry design, A6): how long a 429 or 503 asks
 * the client to wait before its next attempt, or that it send none.
 *
 * Two headers carry it:
 * - `X-Retry-After-Ms` (ours, as gRPC's `grpc-retry-pushback-ms`): a
 *   non-negative integer of milliseconds; anything else (negative, decimal,
 *   signed, empty, several values, not a number) means stop.
 * - `Retry-After` (RFC 9110): delta-seconds, or an HTTP-date (IMF-fixdate,
 *   RFC 850 or asctime) counted from the response's time; a date in the past
 *   is a wait of 0; a value that is neither is ignored, as if absent (the
 *   header is the world's, not ours: garbage in it is no instruction).
 *
 * When both are present, `X-Retry-After-Ms` decides: it is ours and more
 * precise (milliseconds, not whole seconds). Both are read on 429 and 503
 * only (a 3xx's `Retry-After` is about following the redirect).
 *
 * A wait longer than the client's `maxWait` means stop: waiting only the cap
 * and then retrying would send the attempt the server asked not to receive
 * yet; the cap is the caller's patience, not a licence to retry early.
 */

/** What a response asks of the next attempt: wait that many milliseconds, or send none. */
export type Pushback = number | "stop"

/** The statuses whose pushback headers are read. */
export const isPushbackStatus = (status: number): boolean => status === 429 || status === 503

const digits = /^\d+$/

/** `X-Retry-After-Ms` as milliseconds, or `"stop"` when it is not a non-negative integer. */
export const parseRetryAfterMs = (value: string): Pushback => {
  const trimmed = value.trim()
  return digits.test(trimmed) ? Number(trimmed) : "stop"
}

const months: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}

// RFC 9110 5.6.7: IMF-fixdate, obsolete RFC 850 and asctime formats
const imfFixdate = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const rfc850 =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const asctime = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

const utc = (
  year: number,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string
): number | undefined => {
  const m = months[month]
  const d = Number(day)
  const h = Number(hour)
  const min = Number(minute)
  const s = Number(second)
  if (m === undefined || d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined
  return Date.UTC(year, m, d, h, min, s)
}

/** An HTTP-date (any of RFC 9110's three formats) as epoch milliseconds, or `undefined`. */
export const parseHttpDate = (value: string): number | undefined => {
  let match = imfFixdate.exec(value)
  if (match !== null) return utc(Number(match[3]), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!)
  match = rfc850.exec(value)
  if (match !== null) {
    // a two-digit year: this century's unless that is more than 50 years ahead (RFC 9110)
    const yy = Number(match[3])
    return utc(yy < 70 ? 2000 + yy : 1900 + yy, match[2]!, match[1]!, match[4]!, match[5]!, match[6]!)
  }
  match = asctime.exec(value)
  if (match !== null) return utc(Number(match[6]), match[1]!, match[2]!.trim(), match[3]!, match[4]!, match[5]!)
  return undefined
}

/**
 * `Retry-After` as the milliseconds to wait from `now` (epoch milliseconds,
 * the response's time): delta-seconds, or an HTTP-date (a past date is 0);
 * `undefined` for anything else.
 */
export const parseRetryAfter = (value: string, now: number): number | undefined => {
  const trimmed = value.trim()
  if (digits.test(trimmed)) return Number(trimmed) * 1000
  const date = parseHttpDate(trimmed)
  return date === undefined ? undefined : Math.max(0, date - now)
}

/**
 * The pushback of a response with `status` and the two headers' values
 * (`undefined` when absent), received at `now` (epoch milliseconds), for a
 * client that honours waits up to `maxWait` milliseconds: the wait, `"stop"`,
 * or `undefined` when the response carries none.
 */
export const pushback = (
  status: number,
  retryAfter: string | undefined,
  retryAfterMs: string | undefined,
  now: number,
  maxWait: number
): Pushback | undefined => {
  if (!isPushbackStatus(status)) return undefined
  let wait: Pushback | undefined
  if (retryAfterMs !== undefined) wait = parseRetryAfterMs(retryAfterMs)
  else if (retryAfter !== undefined) wait = parseRetryAfter(retryAfter, now)
  else return undefined
  return typeof wait === "number" && wait > maxWait ? "stop" : wait
}
