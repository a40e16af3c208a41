/**
 * Sums amounts per key within a sliding time window, in bounded memory: at most `maxKeys` keys (the
 * one touched longest ago is dropped first) and `maxEntries` amounts per key (the oldest dropped).
 */
export class WindowedSum {
  readonly #windowMs: number
  readonly #maxKeys: number
  readonly #maxEntries: number
  readonly #keys = new Map<string, { at: number; amount: number }[]>()

  constructor(windowMs: number, maxKeys = 10_000, maxEntries = 1000) {
    this.#windowMs = windowMs
    this.#maxKeys = maxKeys
    this.#maxEntries = maxEntries
  }

  /** Adds `amount` under `key` at `now`; returns the key's total within the window. */
  add(key: string, amount: number, now: number): number {
    let entries = this.#keys.get(key)
    if (entries === undefined) {
      if (this.#keys.size >= this.#maxKeys) this.#keys.delete(this.#keys.keys().next().value as string)
      entries = []
    } else {
      this.#keys.delete(key)
    }
    this.#keys.set(key, entries)
    while (entries.length > 0 && (entries[0] as { at: number }).at <= now - this.#windowMs) entries.shift()
    entries.push({ at: now, amount })
    if (entries.length > this.#maxEntries) entries.shift()
    return entries.reduce((total, entry) => total + entry.amount, 0)
  }

  reset(key: string): void {
    this.#keys.delete(key)
  }
}
