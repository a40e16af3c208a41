import type { CounterStore as SharedCounters } from '../limits/counter-store.js'
import type { Counter } from '../storage/types.js'

export type CounterValue = Counter

/**
 * What the lockout needs from wherever its counters live: three atomic operations and nothing else.
 * The store keeps the time (its windows run on its own clock, which must be the lockout's).
 */
export interface CounterStore {
  /** Adds one; a missing or expired counter restarts at 1 and lapses `ttlMs` from now. */
  increment(key: string, ttlMs: number): Promise<CounterValue>
  /** The live counter, or undefined when it is missing or lapsed. */
  read(key: string): Promise<CounterValue | undefined>
  reset(key: string): Promise<void>
}

/**
 * The lockout's counters in the store every instance shares (limits/: Redis when TESSERA_REDIS_URL
 * is set, else the database; memory only when TESSERA_LIMITS_STORE=memory). Its fixed window from
 * the first hit is exactly the lockout's "restart at 1, lapse ttlMs later". The shared store must be
 * on the lockout's clock (`withClock`).
 */
export function lockoutCounters(shared: SharedCounters): CounterStore {
  return {
    increment: (key, ttlMs) => shared.hit(`lockout:${key}`, ttlMs),
    read: (key) => shared.read(`lockout:${key}`),
    reset: (key) => shared.reset(`lockout:${key}`),
  }
}
