import { OAuthError } from './oauth-error.js'

/**
 * Per-key token buckets held in memory: `rate` requests per second with a burst of `burst` (by
 * default the same size). Each instance limits on its own; with N instances a client gets up to N
 * times the rate, which is the usual trade for not touching the database on every request.
 */
export class RateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #limit: number

  constructor(rate: number, now: () => number = Date.now, limit = 100_000, burst = rate) {
    this.#rate = rate
    this.#burst = burst
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
      bucket = { tokens: this.#burst, at: now }
      this.#buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate)
      bucket.at = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate))
  }

  /**
   * Seconds until `take` would succeed, without spending anything; 0 when it would now. Lets a
   * caller charge only failures (take on failure) while refusing early once they are used up.
   */
  wait(key: string): number {
    if (this.#rate <= 0) return 0
    const bucket = this.#buckets.get(key)
    if (bucket === undefined) return 0
    const tokens = Math.min(this.#burst, bucket.tokens + ((this.#now() - bucket.at) / 1000) * this.#rate)
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.#rate))
  }
}

/**
 * Failed device logins and refreshes, limited per device and per address. Only failures are charged:
 * a healthy device refreshing often is never slowed, while guessing, replaying or hammering a
 * disabled device runs out after `perMinute` failures and then refills at that rate.
 *
 * The per-device bucket can be drained by anyone who knows a device id; that lockout is temporary
 * and the per-address bucket, which binds first for a single source, is the main defence.
 */
export class DeviceFailureLimits {
  readonly #perDevice: RateLimiter
  readonly #perAddress: RateLimiter

  constructor(perMinute: number) {
    const rate = perMinute / 60
    this.#perDevice = new RateLimiter(rate, Date.now, 100_000, perMinute)
    this.#perAddress = new RateLimiter(rate, Date.now, 100_000, perMinute)
  }

  /** Refuses (429 slow_down) when the address, or the device once known, has no failures left. */
  check(address: string, deviceId?: string): void {
    const wait = Math.max(
      this.#perAddress.wait(address),
      deviceId === undefined ? 0 : this.#perDevice.wait(deviceId),
    )
    if (wait > 0) {
      throw new OAuthError('slow_down', 'too many failed device logins or refreshes', {
        headers: { 'retry-after': String(wait) },
      })
    }
  }

  fail(address: string, deviceId?: string): void {
    this.#perAddress.take(address)
    if (deviceId !== undefined) this.#perDevice.take(deviceId)
  }
}
