/**
 * What differs between the Effect lines, under one name, for the glue written
 * once for both (`effect4/lines.json`, docs/architecture.md "Glue written
 * once"). This is the Effect 3 line's; effect4/core/src/internal/line.ts is
 * its Effect 4 twin, with the same exports.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as FiberId_ from "effect/FiberId"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"

/** What a duration option accepts: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput

/** A per-fiber value with a default (`Context.Reference`): Effect 3's names the class `Self`. */
export type Reference<Self, A> = Context.Reference<Self, A>

/** `clock`'s time in milliseconds, read synchronously. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

// --- strategy (lane strategy): what the run's coordinator does with fibers (internal/strategy/*) ---

/** A running fiber, with the runtime's synchronous hooks: Effect 3's `RuntimeFiber`. */
export type RuntimeFiber<A, E> = Fiber.RuntimeFiber<A, E>

/** Who interrupts a fiber: Effect 3's `FiberId`. */
export type FiberId = FiberId_.FiberId

/** The fiber that runs the calling code (call it only while an effect runs). */
export const currentFiber = (): RuntimeFiber<unknown, unknown> => Option.getOrThrow(Fiber.getCurrentFiber())

/** `fiber`'s id, to interrupt others as `fiber`. */
export const fiberIdOf = (fiber: RuntimeFiber<unknown, unknown>): FiberId => fiber.id()

/** `fiber`'s `Clock`. */
export const clockOf = (fiber: RuntimeFiber<unknown, unknown>): Clock.Clock =>
  Context.get(fiber.currentDefaultServices, Clock.Clock)

/** The value of `reference` in `fiber`'s context (its default when absent). */
export const referenceOf = <Self, A>(fiber: RuntimeFiber<unknown, unknown>, reference: Reference<Self, A>): A =>
  Context.get(fiber.currentContext as Context.Context<Self>, reference)

/** `fiber`'s context. */
export const contextOf = (fiber: RuntimeFiber<unknown, unknown>): Context.Context<never> => fiber.currentContext

/** `clock`'s time in nanoseconds, read synchronously. */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/**
 * Forks `effect` for the caller's fiber `caller`, interruptible (whatever the
 * caller is), with `context` as its context, then goes on with `f` on the
 * caller's fiber. Effect 3's attempt fiber starts at once, in this
 * call (`Runtime.runFork` with the caller's fiber refs and runtime flags,
 * interruptible): no fork step of the caller's, no step of its own to set its
 * context; it is not in the caller's children, as the run's coordinator
 * interrupts every attempt it started itself. Call it only while the run
 * executes.
 */
export const forkIn = <A, E, R, X, E2, R2>(
  caller: RuntimeFiber<unknown, unknown>,
  context: Context.Context<never>,
  effect: Effect.Effect<A, E, R>,
  f: (fiber: RuntimeFiber<A, E>) => Effect.Effect<X, E2, R2>
): Effect.Effect<X, E2, R | R2> => {
  const runtime = Runtime.make({
    context: context as Context.Context<R>,
    fiberRefs: caller.getFiberRefs(),
    runtimeFlags: RuntimeFlags.enable(
      (caller as unknown as { readonly currentRuntimeFlags: RuntimeFlags.RuntimeFlags }).currentRuntimeFlags,
      RuntimeFlags.Interruption
    )
  })
  return f(Runtime.runFork(runtime)(effect))
}

/** `fiber`'s exit if it has ended. */
export const pollExit = <A, E>(fiber: RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined =>
  fiber.unsafePoll() ?? undefined

/** Calls `observer` with `fiber`'s exit when it ends (at once if it has); returns what stops it. */
export const observe = <A, E>(fiber: RuntimeFiber<A, E>, observer: (exit: Exit.Exit<A, E>) => void): () => void => {
  fiber.addObserver(observer)
  return () => fiber.removeObserver(observer)
}

/** Interrupts `fiber` as `by`, without waiting for it. */
export const interruptAsFork = (fiber: RuntimeFiber<unknown, unknown>, by: FiberId): void =>
  fiber.unsafeInterruptAsFork(by)

/** Interrupts `fiber`, waits for it to end and returns its exit. */
export const interruptAndAwait = <A, E>(fiber: RuntimeFiber<A, E>): Effect.Effect<Exit.Exit<A, E>> =>
  Fiber.interrupt(fiber)

/** Whether `exit` is an interruption (Effect 3's `Exit.isInterrupted`). */
export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean => Exit.isInterrupted(exit)

/** An effect resumed from a callback (Effect 3's `Effect.async`). */
export const callback: <A>(
  register: (resume: (effect: Effect.Effect<A>) => void) => Effect.Effect<void>
) => Effect.Effect<A> = Effect.async

/** `effect` with every failure and defect handled by `f` (Effect 3's `Effect.catchAllCause`). */
export const catchCause = <A, E, R, B, R2>(
  effect: Effect.Effect<A, E, R>,
  f: (cause: Cause.Cause<E>) => Effect.Effect<B, never, R2>
): Effect.Effect<A | B, never, R | R2> => Effect.catchAllCause(effect, f)

/** Runs `effect` in a fiber of its own that outlives its parent (Effect 3's `Effect.forkDaemon`). */
export const forkDetach = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<unknown, never, R> =>
  Effect.forkDaemon(effect)
