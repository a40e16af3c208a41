import { createHmac, randomBytes } from 'node:crypto'
import type { Clock } from '../lib/clock.js'
import type { BrowserSessionRecord, Storage } from '../storage/types.js'
import { type BrowserSession, toBrowserSession } from './browser-session.js'

export interface SessionPolicy {
  /** Milliseconds a session may go unseen. */
  readonly idleTimeout: number
  /** Milliseconds from login after which the session ends regardless. */
  readonly lifetime: number
}

/** Called with the ids of sessions that just ended (logout, sign out everywhere, user deleted). */
export type SessionEndHook = (sessionIds: readonly string[], userId: string) => Promise<void>

/** Touching the row on every request would turn each page view into a write. */
const TOUCH_INTERVAL = 60_000

const USER_AGENT_LIMIT = 300

/**
 * Server-side browser sessions. The browser holds a 256-bit random secret; the database holds only
 * its HMAC (a copied table cannot be replayed as cookies), plus a separate public id that pages and
 * refresh families use. Every login mints a new secret and id, so a session can never be fixed
 * in advance by whoever planted a cookie.
 */
export class BrowserSessions {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly #key: Buffer
  readonly policy: SessionPolicy
  readonly #endHooks: SessionEndHook[] = []

  constructor(storage: Storage, clock: Clock, hmacKey: Uint8Array, policy: SessionPolicy) {
    this.#storage = storage
    this.#clock = clock
    this.#key = Buffer.from(hmacKey)
    this.policy = policy
  }

  #hash(secret: string): string {
    return createHmac('sha256', this.#key).update(secret, 'utf8').digest('hex')
  }

  /**
   * Registers work to do when sessions end, e.g. revoking the refresh families issued under them
   * (the OIDC side registers that). Hooks run after the rows are gone; a failing hook is logged by
   * the caller's error handling and does not resurrect the session.
   */
  onEnd(hook: SessionEndHook): void {
    this.#endHooks.push(hook)
  }

  async #ended(ids: readonly string[], userId: string): Promise<void> {
    if (ids.length === 0) return
    for (const hook of this.#endHooks) await hook(ids, userId)
  }

  /** A new session for a user who just proved their email; returns it and the cookie secret. */
  async create(
    userId: string,
    amr: readonly string[],
    client: { userAgent: string; address: string },
  ): Promise<{ session: BrowserSession; secret: string }> {
    const now = this.#clock.now()
    const secret = randomBytes(32).toString('base64url')
    const record: BrowserSessionRecord = {
      id: `ses_${randomBytes(16).toString('base64url')}`,
      secretHash: this.#hash(secret),
      userId,
      authTime: now,
      amr: JSON.stringify(amr),
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + this.policy.idleTimeout, now + this.policy.lifetime),
      expiresAt: now + this.policy.lifetime,
      // Control characters have no place in a header we show back; the length is bounded by the column.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
      userAgent: client.userAgent.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, USER_AGENT_LIMIT),
      address: client.address.slice(0, 100),
    }
    await this.#storage.insertBrowserSession(record)
    return { session: toBrowserSession(record), secret }
  }

  /** The live session the cookie secret names, or undefined (unknown, idle too long, or too old). */
  async find(secret: string): Promise<BrowserSession | undefined> {
    const record = await this.#storage.findBrowserSession(this.#hash(secret))
    if (record === undefined) return undefined
    const now = this.#clock.now()
    if (now >= record.expiresAt || now >= record.idleExpiresAt) {
      await this.#storage.deleteBrowserSession(record.id)
      await this.#ended([record.id], record.userId)
      return undefined
    }
    if (now - record.lastSeenAt >= TOUCH_INTERVAL) {
      const idleExpiresAt = Math.min(now + this.policy.idleTimeout, record.expiresAt)
      await this.#storage.touchBrowserSession(record.id, now, idleExpiresAt)
      return toBrowserSession({ ...record, lastSeenAt: now, idleExpiresAt })
    }
    return toBrowserSession(record)
  }

  list(userId: string): Promise<BrowserSessionRecord[]> {
    return this.#storage.listBrowserSessions(userId)
  }

  /** Ends one session (only the user's own, when userId is given); false when there was none. */
  async end(sessionId: string, userId: string): Promise<boolean> {
    const deleted = await this.#storage.deleteBrowserSession(sessionId, userId)
    if (deleted) await this.#ended([sessionId], userId)
    return deleted
  }

  /** Sign out everywhere: ends every session of the user; returns how many ended. */
  async endAllOf(userId: string): Promise<number> {
    const ids = await this.#storage.deleteBrowserSessionsOf(userId)
    await this.#ended(ids, userId)
    return ids.length
  }
}
