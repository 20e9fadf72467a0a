/**
 * The checks of the export layers' options on plain values (see `validate`):
 * each returns what was expected, or `undefined` when the value is good. The
 * glue throws its line's refusal with it.
 */
import type { Expected } from "../validate.js"

/** A TCP port to listen on: an integer in [0, 65535] (0 picks a free port). */
export const port = (value: unknown): Expected =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535
    ? undefined
    : "an integer in [0, 65535] (0 picks a free port)"

/** The path of an endpoint: absolute, with no query or fragment. */
export const path = (value: unknown): Expected =>
  typeof value === "string" && value.startsWith("/") && !value.includes("?") && !value.includes("#")
    ? undefined
    : "an absolute path such as \"/metrics\""

/**
 * A record of strings (`headers`, `attributes`): `undefined` when it is one,
 * else the entry at fault (`""` for the record itself) and what was expected.
 */
export const stringRecord = (value: unknown): readonly [entry: string, expected: string] | undefined => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["", "a record of strings"]
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") return [key, "a string"]
  }
  return undefined
}

/** The base URL of an OTLP/HTTP receiver: an absolute `http:` or `https:` URL. */
export const httpUrl = (value: unknown): Expected =>
  typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
    ? undefined
    : "an absolute http:// or https:// URL"
