/**
 * Choosing by HTTP method: a table of choices keyed by method (matched
 * case-insensitively) with a fallback for the others.
 */

/** A choice per method, with a fallback. */
export interface MethodTable<T> {
  /** The methods with a choice of their own, upper case, in the order given. */
  readonly methods: ReadonlyArray<string>
  /** The choice for `method` (any case); the fallback for another method or none. */
  readonly select: (method: string | undefined) => T
}

/** Builds the table from `choices` (keys are methods, in any case) and `fallback`. */
export const methodTable = <T>(choices: Iterable<readonly [string, T]>, fallback: T): MethodTable<T> => {
  const table = new Map<string, T>()
  for (const [method, choice] of choices) table.set(method.toUpperCase(), choice)
  return {
    methods: [...table.keys()],
    select: (method) => table.get(method?.toUpperCase() ?? "") ?? fallback
  }
}
