/**
 * Time as the authority sees it. Every schedule and every claim reads this clock, so tests can drive a
 * whole rotation by moving it instead of waiting days.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * A Date that always reads this clock's time, for @tessera/jose verifiers: they resolve
   * `currentDate` once and call getTime() on every verify. Undefined means the system clock.
   */
  readonly date: Date | undefined
}

/** The real time: what the authority uses unless a test passes another Clock. */
export const systemClock: Clock = { now: () => Date.now(), date: undefined }

/**
 * A Clock that moves only when told (createManualClock): tests drive rotations, expiries and retention
 * by setting it.
 */
export interface ManualClock extends Clock {
  readonly date: Date
  set(ms: number): void
  advance(ms: number): void
}

/** A clock that moves only when told to (tests). */
export function createManualClock(start = Date.now()): ManualClock {
  const date = new Date(start)
  return {
    date,
    now: () => date.getTime(),
    set(ms) {
      date.setTime(ms)
    },
    advance(ms) {
      date.setTime(date.getTime() + ms)
    },
  }
}

export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000)
}
