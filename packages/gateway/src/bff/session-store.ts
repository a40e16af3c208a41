import { createHash } from 'node:crypto'

/**
 * What the backend-for-frontend keeps per browser, server-side: the tokens (never sent to the
 * browser), the access token's expiry and the signed-in user's claims.
 */
export interface BffSession {
  accessToken: string
  refreshToken: string | undefined
  /** Access-token expiry, ms since the epoch. */
  accessTokenExpiresAt: number
  idToken: string | undefined
  /** The ID token's claims, for /bff/user. */
  readonly user: Readonly<Record<string, unknown>>
  readonly createdAt: number
  lastSeenAt: number
}

/** Where sessions live. The in-memory store is the reference; a shared store implements the same four calls. */
export interface SessionStore {
  get(id: string): BffSession | undefined
  set(id: string, session: BffSession): void
  delete(id: string): void
  readonly size: number
}

/**
 * Sessions in this process, keyed by a SHA-256 of the cookie value so a heap dump holds no usable
 * cookie. Bounded: past `maxSessions` the least recently seen session is dropped.
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, BffSession>()
  readonly #maxSessions: number

  constructor(maxSessions: number) {
    this.#maxSessions = maxSessions
  }

  get size(): number {
    return this.#sessions.size
  }

  get(id: string): BffSession | undefined {
    const key = digest(id)
    const session = this.#sessions.get(key)
    if (session) {
      this.#sessions.delete(key)
      this.#sessions.set(key, session)
    }
    return session
  }

  set(id: string, session: BffSession): void {
    const key = digest(id)
    this.#sessions.delete(key)
    this.#sessions.set(key, session)
    while (this.#sessions.size > this.#maxSessions) {
      const oldest = this.#sessions.keys().next()
      if (oldest.done) break
      this.#sessions.delete(oldest.value)
    }
  }

  delete(id: string): void {
    this.#sessions.delete(digest(id))
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('base64url')
}
