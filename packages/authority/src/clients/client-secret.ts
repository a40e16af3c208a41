import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Client secrets are 256-bit random values, so a keyed hash (HMAC-SHA-256) is enough to store them:
 * a slow password hash defends low-entropy secrets and would cap token throughput for nothing.
 */
export class SecretHasher {
  readonly #key: Buffer

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
    const candidate = createHmac('sha256', this.#key).update(secret, 'utf8').digest()
    const stored = Buffer.from(storedHash ?? '', 'hex')
    if (stored.length !== candidate.length) {
      timingSafeEqual(candidate, candidate)
      return false
    }
    return timingSafeEqual(candidate, stored)
  }
}
