import * as Effect from "effect/Effect"

/** Runs `effect` until `ok` holds for its result (real time, every 20 ms), at most 10 seconds. */
export const eventually = <A, E>(effect: Effect.Effect<A, E>, ok: (a: A) => boolean, what: string) =>
  Effect.gen(function*() {
    while (true) {
      const a = yield* effect
      if (ok(a)) return a
      yield* Effect.sleep("20 millis")
    }
  }).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error(`timed out waiting for ${what}`) }))
