import type { Storage } from '../storage/types.js'
import type { Counter, CounterStore } from './counter-store.js'

/**
 * The counters in the authority's database (SQLite or PostgreSQL): each hit is one atomic upsert
 * (storage/kysely-counters.ts), the replay cache the `used_ids` table. Expired rows go with the
 * periodic purge.
 */
export class DatabaseCounters implements CounterStore {
  readonly backend = 'database'
  readonly #storage: Storage
  readonly #now: () => number

  constructor(storage: Storage, now: () => number) {
    this.#storage = storage
    this.#now = now
  }

  hit(key: string, windowMs: number): Promise<Counter> {
    return this.#storage.hitCounter(key, windowMs, this.#now())
  }

  read(key: string): Promise<Counter | undefined> {
    return this.#storage.readCounter(key, this.#now())
  }

  reset(key: string): Promise<void> {
    return this.#storage.resetCounter(key)
  }

  useOnce(id: string, expiresAt: number): Promise<boolean> {
    return this.#storage.useOnce(id, expiresAt)
  }

  now(): number {
    return this.#now()
  }

  withClock(now: () => number): CounterStore {
    return new DatabaseCounters(this.#storage, now)
  }

  async close(): Promise<void> {}
}
