import { createHmac, randomBytes } from 'node:crypto'
import type { Clock } from '../lib/clock.js'
import type { AuthorizationCodeRecord, CodeConsumption, CodeIssue, Storage } from '../storage/types.js'

/** 256 random bits, base64url: the only shape a code of ours can have. */
const CODE_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** What the authorization endpoint grants, bound into the code (RFC 6749 §4.1.2). */
export type CodeGrant = Omit<AuthorizationCodeRecord, 'hash' | 'createdAt' | 'expiresAt' | 'consumedAt'>

/**
 * Authorization codes: random, stored only as an HMAC under a key derived from the master key
 * (like refresh tokens), short-lived and single use. The row outlives its consumption so that a
 * replay can find, and revoke, what the first exchange issued.
 */
export class AuthorizationCodes {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly #key: Buffer
  /** Milliseconds. */
  readonly lifetime: number

  constructor(storage: Storage, clock: Clock, hmacKey: Uint8Array, lifetimeMs: number) {
    this.#storage = storage
    this.#clock = clock
    this.#key = Buffer.from(hmacKey)
    this.lifetime = lifetimeMs
  }

  hash(code: string): string {
    return createHmac('sha256', this.#key).update(code, 'utf8').digest('hex')
  }

  async issue(grant: CodeGrant): Promise<string> {
    const code = randomBytes(32).toString('base64url')
    const now = this.#clock.now()
    await this.#storage.insertAuthorizationCode({
      ...grant,
      hash: this.hash(code),
      createdAt: now,
      expiresAt: now + this.lifetime,
      consumedAt: null,
    })
    return code
  }

  /** Consumes the code; a malformed one is simply unknown, with no database read. */
  async consume(code: string): Promise<CodeConsumption & { hash?: string }> {
    if (!CODE_SHAPE.test(code)) return { outcome: 'unknown' }
    const hash = this.hash(code)
    return { ...(await this.#storage.consumeAuthorizationCode(hash, this.#clock.now())), hash }
  }

  /** False when the code was replayed while its tokens were being issued: revoke them then. */
  recordIssue(hash: string, issue: CodeIssue): Promise<boolean> {
    return this.#storage.recordCodeIssue(hash, issue)
  }
}
