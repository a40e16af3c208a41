import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'

/** Issue 12: at least 8 digits, 10 minutes, 5 guesses per code. */
export const CODE_DIGITS = 8
export const PROOF_LIFETIME_MS = 10 * 60_000
export const MAX_CODE_ATTEMPTS = 5

const CODE_SHAPE = /^\d{8}$/
const LINK_SHAPE = /^[A-Za-z0-9_-]{43}$/

export interface FreshProof {
  /** Goes in the email; never stored. */
  readonly code: string
  /** Goes in the email's link; never stored. */
  readonly linkToken: string
  readonly codeHash: string
  readonly linkHash: string
}

/**
 * The secrets of an email proof. The code is 8 uniform digits from the CSPRNG (randomInt rejects
 * biased draws); the link token 256 random bits. Both are stored only as HMACs under a key derived
 * from the master key, so the table alone neither signs anyone in nor confirms a guess offline.
 */
export class EmailProofs {
  readonly #key: Buffer

  constructor(hmacKey: Uint8Array) {
    this.#key = Buffer.from(hmacKey)
  }

  #mac(purpose: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}\u0000${value}`, 'utf8').digest('hex')
  }

  fresh(): FreshProof {
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0')
    const linkToken = randomBytes(32).toString('base64url')
    return { code, linkToken, codeHash: this.#mac('code', code), linkHash: this.#mac('link', linkToken) }
  }

  linkHash(token: string): string {
    return this.#mac('link', token)
  }

  codeHash(code: string): string {
    return this.#mac('code', code)
  }

  /** Constant-time comparison of a typed code's HMAC with the stored one. */
  codeMatches(code: string, storedHash: string): boolean {
    const presented = Buffer.from(this.codeHash(code), 'hex')
    const stored = Buffer.from(storedHash, 'hex')
    return presented.length === stored.length && timingSafeEqual(presented, stored)
  }

  /** The flow id and CSRF token a pre-login cookie secret stands for. */
  flowId(preLoginSecret: string): string {
    return this.#mac('flow', preLoginSecret)
  }

  csrfToken(preLoginSecret: string): string {
    return createHmac('sha256', this.#key).update(`csrf\u0000${preLoginSecret}`, 'utf8').digest('base64url')
  }
}

/** A typed code as people type it (spaces, dashes) reduced to its digits; undefined unless 8 digits. */
export function normalizeCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 32) return undefined
  const digits = input.replace(/[\s-]/g, '')
  return CODE_SHAPE.test(digits) ? digits : undefined
}

export function isLinkToken(input: unknown): input is string {
  return typeof input === 'string' && LINK_SHAPE.test(input)
}
