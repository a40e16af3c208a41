import { OAuthError } from '../lib/oauth-error.js'
import type { Counter, CounterStore } from './counter-store.js'

/**
 * At most `limit` hits per key in a fixed window of `windowMs` that starts at the key's first hit,
 * counted in the shared counter store — so N instances together allow `limit`, not N × `limit`.
 * A limit of 0 disables it (and costs nothing: no round trip).
 */
export class WindowLimit {
  readonly #store: CounterStore
  readonly #name: string
  readonly #limit: number
  readonly #windowMs: number

  constructor(store: CounterStore, name: string, limit: number, windowMs: number) {
    this.#store = store
    this.#name = name
    this.#limit = limit
    this.#windowMs = windowMs
  }

  get enabled(): boolean {
    return this.#limit > 0
  }

  /** Counts this hit; seconds to wait before retrying when it is over the limit, else 0. */
  async take(key: string): Promise<number> {
    if (!this.enabled) return 0
    const counter = await guarded(this.#store.hit(this.#key(key), this.#windowMs))
    return counter.count > this.#limit ? this.#retryAfter(counter) : 0
  }

  /** Seconds until a hit would be allowed, spending nothing; 0 when it would be now. */
  async wait(key: string): Promise<number> {
    if (!this.enabled) return 0
    const counter = await guarded(this.#store.read(this.#key(key)))
    return counter !== undefined && counter.count >= this.#limit ? this.#retryAfter(counter) : 0
  }

  #key(key: string): string {
    return `${this.#name}:${key}`
  }

  #retryAfter(counter: Counter): number {
    return Math.max(1, Math.ceil((counter.expiresAt - this.#store.now()) / 1000))
  }
}

/**
 * A shared store that cannot be reached fails closed: the request is refused with 503 (and the
 * standard error body) rather than let through unlimited or answered with a 500.
 */
async function guarded<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation
  } catch {
    throw new OAuthError('temporarily_unavailable', 'rate limits are unavailable; retry the request', {
      headers: { 'retry-after': '1' },
    })
  }
}

/**
 * Refuses with 429 slow_down and Retry-After when `limit` has nothing left for `key`. The per-address
 * and per-client limits of every endpoint that spends a hash or a signature on a request.
 */
export async function takeOrRefuse(
  limit: WindowLimit,
  key: string,
  description = 'too many requests',
): Promise<void> {
  const retryAfter = await limit.take(key)
  if (retryAfter > 0) {
    throw new OAuthError('slow_down', description, { headers: { 'retry-after': String(retryAfter) } })
  }
}
