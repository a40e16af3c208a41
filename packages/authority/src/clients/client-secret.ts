import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto'

const VERIFIED_LIMIT = 10_000

/**
 * Client secrets are 256-bit random values, so a keyed hash (HMAC-SHA-256) is enough to store them:
 * a slow password hash defends low-entropy secrets and would cap token throughput for nothing.
 */
export class SecretHasher {
  readonly #key: Buffer
  /**
   * Stored hash → SHA-256 of the secret last verified against it. A client sends the same secret on
   * every request; once the HMAC has matched, an unkeyed digest (a third of the cost) recognises it.
   * Only digests are kept, never secrets, and a new stored hash simply misses. Bounded, cleared when full.
   */
  readonly #verified = new Map<string, Buffer>()

  constructor(key: Uint8Array) {
    this.#key = Buffer.from(key)
  }

  static generateSecret(): string {
    return randomBytes(32).toString('base64url')
  }

  hash(secret: string): string {
    return createHmac('sha256', this.#key).update(secret, 'utf8').digest('hex')
  }

  /** Constant-time comparison of digests of equal length, whatever the candidate's length. */
  matches(secret: string, storedHash: string | null): boolean {
    const known = storedHash === null ? undefined : this.#verified.get(storedHash)
    if (known !== undefined && timingSafeEqual(hash('sha256', secret, 'buffer'), known)) return true
    const candidate = createHmac('sha256', this.#key).update(secret, 'utf8').digest()
    const stored = Buffer.from(storedHash ?? '', 'hex')
    if (stored.length !== candidate.length) {
      timingSafeEqual(candidate, candidate)
      return false
    }
    const matched = timingSafeEqual(candidate, stored)
    if (matched && storedHash !== null) {
      if (this.#verified.size >= VERIFIED_LIMIT) this.#verified.clear()
      this.#verified.set(storedHash, hash('sha256', secret, 'buffer'))
    }
    return matched
  }
}
