import type { Key } from '@tessera/jose'
import type { Identity } from './identity.js'

interface Entry {
  readonly identity: Identity
  readonly key: Key
}

/**
 * Verified tokens, keyed by the whole token string (two different tokens never share an entry), so a
 * busy client's token costs one signature check per lifetime instead of one per request. A hit is
 * refused once `exp` has passed (never served past it, whatever the clock tolerance) and once the
 * signing key has left the issuer's set; `forget` drops entries eagerly when the verifier learns that
 * keys left the set or that tokens were revoked. Bounded: the oldest entry goes first.
 */
export class VerificationCache {
  readonly #entries = new Map<string, Entry>()
  readonly #maxEntries: number
  readonly #hasKey: (key: Key) => boolean

  constructor(maxEntries: number, hasKey: (key: Key) => boolean) {
    this.#maxEntries = maxEntries
    this.#hasKey = hasKey
  }

  get size(): number {
    return this.#entries.size
  }

  lookup(token: string, now: number): Identity | undefined {
    const entry = this.#entries.get(token)
    if (entry === undefined) return undefined
    if (now >= entry.identity.expiresAt || !this.#hasKey(entry.key)) {
      this.#entries.delete(token)
      return undefined
    }
    return entry.identity
  }

  remember(token: string, identity: Identity, key: Key): void {
    if (!Number.isFinite(identity.expiresAt)) return
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, { identity, key })
  }

  /** Drops every entry `test` picks; returns how many went. */
  forget(test: (identity: Identity, key: Key) => boolean): number {
    let dropped = 0
    for (const [token, entry] of this.#entries) {
      if (test(entry.identity, entry.key)) {
        this.#entries.delete(token)
        dropped++
      }
    }
    return dropped
  }

  /** Drops the entries whose signing key is no longer in the issuer's set. */
  forgetRemovedKeys(): number {
    return this.forget((_identity, key) => !this.#hasKey(key))
  }

  clear(): void {
    this.#entries.clear()
  }
}
