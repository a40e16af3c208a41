import type { CounterStorage, CounterValue } from '../storage/types.js'

export type { CounterValue }

/**
 * What the lockout needs from wherever its counters live: three atomic operations and nothing else,
 * so a shared store (the database here; Redis `INCR` + `PEXPIRE NX` or a script elsewhere) can stand
 * behind it. `now` is passed in so a store never reads a clock of its own.
 */
export interface CounterStore {
  /** Adds one; a missing or expired counter restarts at 1 and lapses `ttlMs` after `now`. */
  increment(key: string, ttlMs: number, now: number): Promise<CounterValue>
  /** The live counter, or undefined when it is missing or lapsed. */
  read(key: string, now: number): Promise<CounterValue | undefined>
  reset(key: string): Promise<void>
}

/** The counters in the authority's database: shared by every instance on it. */
export function databaseCounters(storage: CounterStorage): CounterStore {
  return {
    increment: (key, ttlMs, now) => storage.incrementCounter(key, ttlMs, now),
    read: (key, now) => storage.readCounter(key, now),
    reset: (key) => storage.resetCounter(key),
  }
}

/**
 * Counters in this process's memory: for one instance only (with several, each would count its own
 * share and an attacker gets N times the budget). Bounded: beyond `maxKeys` live keys the one
 * touched longest ago is dropped, which can only shorten a lockout, never lengthen one.
 */
export class MemoryCounterStore implements CounterStore {
  readonly #counters = new Map<string, CounterValue>()
  readonly #maxKeys: number

  constructor(maxKeys = 100_000) {
    this.#maxKeys = maxKeys
  }

  async increment(key: string, ttlMs: number, now: number): Promise<CounterValue> {
    const live = this.#live(key, now)
    const next = live
      ? { count: live.count + 1, expiresAt: live.expiresAt }
      : { count: 1, expiresAt: now + ttlMs }
    this.#counters.delete(key)
    if (this.#counters.size >= this.#maxKeys) {
      this.#counters.delete(this.#counters.keys().next().value as string)
    }
    this.#counters.set(key, next)
    return { ...next }
  }

  async read(key: string, now: number): Promise<CounterValue | undefined> {
    const live = this.#live(key, now)
    return live && { ...live }
  }

  async reset(key: string): Promise<void> {
    this.#counters.delete(key)
  }

  #live(key: string, now: number): CounterValue | undefined {
    const counter = this.#counters.get(key)
    if (counter === undefined) return undefined
    if (counter.expiresAt > now) return counter
    this.#counters.delete(key)
    return undefined
  }
}
