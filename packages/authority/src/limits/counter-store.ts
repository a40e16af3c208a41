import type { Counter } from '../storage/types.js'

export type { Counter }

/**
 * Counters and single-use ids that every instance shares: the rate limits, the failure (brute-force)
 * counters and the replay cache of client and device assertions. Three backends, one contract:
 * - `redis`    (TESSERA_REDIS_URL set): redis-counters.ts, one round trip per operation;
 * - `database` (the default): database-counters.ts, the `counters` and `used_ids` tables;
 * - `memory`   (TESSERA_LIMITS_STORE=memory, one instance only): memory-counters.ts.
 *
 * The contract, which a lockout or any other counting rule can build on:
 * - `hit(key, windowMs)` adds one to `key` atomically — concurrent hits from any number of
 *   instances are all counted, none lost — and returns the count after it. A key without a live
 *   window starts one at this hit, ending `windowMs` later; hits inside it do not move its end
 *   (a fixed window from the first hit). Once it ends the next hit starts over at 1.
 * - `read(key)` is the live count, or undefined (never hit, window over, or reset). It spends nothing.
 * - `reset(key)` forgets the key at once (a success that clears a failure count, an admin unlock).
 * - `useOnce(id, expiresAt)` records `id` until `expiresAt` (epoch ms) and is true only for the first
 *   caller, on any instance: the replay cache.
 * Keys are opaque text up to 400 characters; callers prefix them with their rule's name. Failures
 * (the shared store unreachable) reject: callers fail closed.
 */
export interface CounterStore {
  readonly backend: 'redis' | 'database' | 'memory'
  /** The clock the windows run on (epoch ms): a Counter's expiresAt is on it. */
  now(): number
  /**
   * The same counters on another clock: rate limits run on real time (a test's or an operator's
   * jumped clock must not freeze a one-second window), the replay cache on the authority's clock
   * (the `exp` of the assertions it records). Closing either closes both.
   */
  withClock(now: () => number): CounterStore
  hit(key: string, windowMs: number): Promise<Counter>
  read(key: string): Promise<Counter | undefined>
  reset(key: string): Promise<void>
  useOnce(id: string, expiresAt: number): Promise<boolean>
  close(): Promise<void>
}
