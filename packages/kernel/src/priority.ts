/**
 * Priorities: the three levels, their parsing from `X-Request-Priority` and
 * the rule that softens a requested priority against the inherited one
 * (Python aio-request's `normalize`).
 */

/** A request's priority. */
export type Priority = "high" | "normal" | "low"

/** The priorities, highest first. */
export const priorities: ReadonlyArray<Priority> = ["high", "normal", "low"]

/** Whether `value` is a priority. */
export const isPriority = (value: unknown): value is Priority =>
  value === "high" || value === "normal" || value === "low"

/**
 * Reads a header value: case-insensitive, surrounding white space ignored;
 * anything else (or no value) is `undefined`.
 */
export const parse = (value: string | undefined): Priority | undefined => {
  if (value === undefined) return undefined
  const lower = value.trim().toLowerCase()
  return isPriority(lower) ? lower : undefined
}

/**
 * The priority a call sends: low under an inherited high becomes normal, high
 * under an inherited low becomes normal, otherwise the requested one.
 */
export const normalize = (requested: Priority, inherited: Priority | undefined): Priority => {
  if (inherited === "high" && requested === "low") return "normal"
  if (inherited === "low" && requested === "high") return "normal"
  return requested
}
