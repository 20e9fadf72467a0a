/**
 * The alarms of one strategy run (an attempt's cut, a hedge delay, a wait),
 * and when they enter the shared timer: only once the run first waits
 * (`arm`). Nothing can fire while the run's own code runs, so a run whose
 * attempts end before it ever waits touches no timer at all. Until then an
 * alarm is only noted; `arm` enters the ones not cancelled, in the order
 * they were set, and every later alarm enters the timer at once.
 *
 * The glue extends `Alarms` with its timer (whose entries are `T`) and calls
 * `arm` when the run first waits; the timer's callbacks are the glue's.
 */

/** The timer alarms enter: `schedule` calls `fire` at `at` (milliseconds) unless `cancel`led first. */
export interface Timer<T> {
  schedule(at: number, fire: () => void): T
  cancel(entry: T): void
}

/** One alarm: when, what it calls, and its entry in the timer once it is there. */
export interface Alarm<T> {
  readonly at: number
  readonly fire: () => void
  /** Its entry in the timer, once it is there. */
  entry: T | undefined
  cancelled: boolean
}

/** The alarms of one run, entering `timer` once armed. */
export abstract class Alarms<T> {
  /** Whether the run waited: its alarms are in the timer from then on. */
  private armed = false
  /** Alarms set before the run first waited. */
  private pending: Array<Alarm<T>> | undefined = undefined

  /** The timer, read only when an alarm enters it. */
  abstract get timer(): Timer<T>

  /** Whether `arm` was called. */
  get isArmed(): boolean {
    return this.armed
  }

  /** Calls `fire` at `at` (milliseconds) unless cancelled first; until armed, it is only noted. */
  schedule(at: number, fire: () => void): Alarm<T> {
    const alarm: Alarm<T> = { at, fire, entry: undefined, cancelled: false }
    if (this.armed) alarm.entry = this.timer.schedule(at, fire)
    else (this.pending ??= []).push(alarm)
    return alarm
  }

  /** Cancels `alarm`: it never fires. */
  cancel(alarm: Alarm<T>): void {
    alarm.cancelled = true
    if (alarm.entry !== undefined) this.timer.cancel(alarm.entry)
  }

  /** The run waits for the first time: its alarms not cancelled enter the timer, in the order they were set. */
  protected arm(): void {
    this.armed = true
    const pending = this.pending
    if (pending === undefined) return
    this.pending = undefined
    const timer = this.timer
    for (const alarm of pending) if (!alarm.cancelled) alarm.entry = timer.schedule(alarm.at, alarm.fire)
  }
}
