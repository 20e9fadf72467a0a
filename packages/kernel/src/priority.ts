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

/**
 * The priority an outgoing call sends: with no explicit one (`explicit`
 * undefined), the inherited one, else `"normal"`; with one, `normalize`d
 * against the inherited one.
 *
 * | explicit \ inherited | none   | high   | normal | low    |
 * | -------------------- | ------ | ------ | ------ | ------ |
 * | none                 | normal | high   | normal | low    |
 * | high                 | high   | high   | high   | normal |
 * | normal               | normal | normal | normal | normal |
 * | low                  | low    | normal | low    | low    |
 */
export const outgoing = (explicit: Priority | undefined, inherited: Priority | undefined): Priority =>
  explicit === undefined ? inherited ?? "normal" : normalize(explicit, inherited)

const rank: Record<Priority, number> = { high: 2, normal: 1, low: 0 }

/** `priority`, lowered to `max` when above it (a cap: never raised). */
export const atMost = (priority: Priority, max: Priority): Priority => rank[priority] > rank[max] ? max : priority
