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
 * Refuses with 429 slow_down and Retry-After when `limiter` has nothing left for `key`. The per-address
 * and per-client limits of every endpoint that spends a hash or a signature on a request.
 */
export function takeOrRefuse(limiter: RateLimiter, key: string, description = 'too many requests'): void {
  const retryAfter = limiter.take(key)
  if (retryAfter > 0) {
    throw new OAuthError('slow_down', description, { headers: { 'retry-after': String(retryAfter) } })
  }
}

/**
 * Failed device logins and refreshes. Only failures are charged, so a healthy device refreshing often
 * is never slowed, and they are charged where they can be attributed:
 * - every failure to the address it came from, which binds first for a single source;
 * - a failure of something that verified — an assertion the device's key signed (replayed, too long,
 *   wrong audience), a refresh token issued to this client — also to the (device, client) pair.
 * A forged assertion naming a device proves nothing about the device, so it never touches the
 * device's budget: nobody can lock a device out by naming it, and another fleet's client cannot
 * spend the budget of this one.
 */
export class DeviceFailureLimits {
  readonly #perDevice: RateLimiter
  readonly #perAddress: RateLimiter

  constructor(perMinute: number) {
    const rate = perMinute / 60
    this.#perDevice = new RateLimiter(rate, Date.now, 100_000, perMinute)
    this.#perAddress = new RateLimiter(rate, Date.now, 100_000, perMinute)
  }

  /** Refuses (429 slow_down) when the address has no failures left. */
  checkAddress(address: string): void {
    refuse(this.#perAddress.wait(address))
  }

  /** Refuses when this client has spent the device's failures (only verified failures count). */
  checkDevice(deviceId: string, clientId: string): void {
    refuse(this.#perDevice.wait(pairKey(deviceId, clientId)))
  }

  /** A failure nothing vouches for: charged to the address alone. */
  failUnverified(address: string): void {
    this.#perAddress.take(address)
  }

  /** A failure of a verified assertion or of a token issued to this client. */
  failVerified(address: string, deviceId: string, clientId: string): void {
    this.#perAddress.take(address)
    this.#perDevice.take(pairKey(deviceId, clientId))
  }
}

/** Device ids and client ids hold no space (lib/identifiers.ts), so the pair key is unambiguous. */
const pairKey = (deviceId: string, clientId: string) => `${deviceId} ${clientId}`

function refuse(wait: number): void {
  if (wait > 0) {
    throw new OAuthError('slow_down', 'too many failed device logins or refreshes', {
      headers: { 'retry-after': String(wait) },
    })
  }
}
