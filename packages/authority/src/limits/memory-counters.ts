import type { Counter, CounterStore } from './counter-store.js'

/**
 * Counters in this process only, for a single development instance (TESSERA_LIMITS_STORE=memory):
 * a second instance would count on its own, and a restart forgets every count and every id used.
 * Bounded: a full map (an address sweep) drops its expired entries; full counters then start over,
 * a full replay cache refuses new ids.
 */
export class MemoryCounters implements CounterStore {
  readonly backend = 'memory'
  readonly #now: () => number
  readonly #limit: number
  readonly #counters: Map<string, Counter>
  readonly #used: Map<string, number>

  constructor(now: () => number, limit = 100_000, shared?: MemoryCounters) {
    this.#now = now
    this.#limit = limit
    this.#counters = shared === undefined ? new Map() : shared.#counters
    this.#used = shared === undefined ? new Map() : shared.#used
  }

  withClock(now: () => number): CounterStore {
    return new MemoryCounters(now, this.#limit, this)
  }

  async hit(key: string, windowMs: number): Promise<Counter> {
    const now = this.#now()
    let counter = this.#counters.get(key)
    if (counter === undefined || counter.expiresAt <= now) {
      if (counter === undefined) this.#makeRoom(this.#counters, (entry) => entry.expiresAt, now)
      counter = { count: 0, expiresAt: now + windowMs }
      this.#counters.set(key, counter)
    }
    counter.count++
    return { ...counter }
  }

  async read(key: string): Promise<Counter | undefined> {
    const counter = this.#counters.get(key)
    return counter === undefined || counter.expiresAt <= this.#now() ? undefined : { ...counter }
  }

  async reset(key: string): Promise<void> {
    this.#counters.delete(key)
  }

  async useOnce(id: string, expiresAt: number): Promise<boolean> {
    const now = this.#now()
    const until = this.#used.get(id)
    if (until !== undefined && until > now) return false
    if (until === undefined) {
      this.#makeRoom(this.#used, (entry) => entry, now, false)
      // Forgetting live ids would let them be replayed: refuse instead while the cache is full.
      if (this.#used.size >= this.#limit) return false
    }
    this.#used.set(id, expiresAt)
    return true
  }

  now(): number {
    return this.#now()
  }

  async close(): Promise<void> {
    this.#counters.clear()
    this.#used.clear()
  }

  #makeRoom<T>(map: Map<string, T>, expiry: (entry: T) => number, now: number, clear = true): void {
    if (map.size < this.#limit) return
    for (const [key, entry] of map) if (expiry(entry) <= now) map.delete(key)
    if (clear && map.size >= this.#limit) map.clear()
  }
}
