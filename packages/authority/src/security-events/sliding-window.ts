/**
 * Counts distinct values per key within a sliding time window, in bounded memory: at most `maxKeys`
 * keys (the oldest-touched key is dropped first) and `maxValues` values per key (enough to decide
 * any threshold below it).
 */
export class SlidingWindow {
  readonly #windowMs: number
  readonly #maxKeys: number
  readonly #maxValues: number
  readonly #keys = new Map<string, Map<string, number>>()

  constructor(windowMs: number, maxKeys = 10_000, maxValues = 1000) {
    this.#windowMs = windowMs
    this.#maxKeys = maxKeys
    this.#maxValues = maxValues
  }

  /** Records `value` under `key` at `now`; returns how many distinct values the key holds in the window. */
  add(key: string, value: string, now: number): number {
    let values = this.#keys.get(key)
    if (values === undefined) {
      if (this.#keys.size >= this.#maxKeys) this.#keys.delete(this.#keys.keys().next().value as string)
      values = new Map()
    } else {
      // Re-inserting moves the key to the newest end of the map's order.
      this.#keys.delete(key)
    }
    this.#keys.set(key, values)
    for (const [seen, at] of values) if (at <= now - this.#windowMs) values.delete(seen)
    values.delete(value)
    values.set(value, now)
    if (values.size > this.#maxValues) values.delete(values.keys().next().value as string)
    return values.size
  }

  /** Forgets a key (after its rule fired, so it fires again only on fresh evidence). */
  reset(key: string): void {
    this.#keys.delete(key)
  }
}
