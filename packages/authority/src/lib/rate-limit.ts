/**
 * Per-key token buckets held in memory: `rate` requests per second with a burst of the same size.
 * Each instance limits on its own; with N instances a client gets up to N times the rate, which is
 * the usual trade for not touching the database on every request.
 */
export class RateLimiter {
  readonly #rate: number
  readonly #now: () => number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #limit: number

  constructor(rate: number, now: () => number = Date.now, limit = 100_000) {
    this.#rate = rate
    this.#now = now
    this.#limit = limit
  }

  /** Seconds to wait before retrying, or 0 when the request may proceed. */
  take(key: string): number {
    if (this.#rate <= 0) return 0
    const now = this.#now()
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      // A full map means many distinct keys (an address sweep): start over rather than grow without bound.
      if (this.#buckets.size >= this.#limit) this.#buckets.clear()
      bucket = { tokens: this.#rate, at: now }
      this.#buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(this.#rate, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate)
      bucket.at = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate))
  }
}
