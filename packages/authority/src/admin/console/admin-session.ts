import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { CookieNames } from '../../sessions/cookies.js'

/** Where the console lives; its cookie is scoped to this path. */
export const CONSOLE_PATH = '/admin/console'
/** An admin console session lasts this long from sign-in; there is no sliding renewal. */
export const ADMIN_SESSION_MS = 30 * 60_000

const VALUE_SHAPE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/

const equal = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest()
  const y = createHash('sha256').update(b).digest()
  return timingSafeEqual(x, y)
}

/**
 * The admin console's session: a cookie of its own (never the people's session cookie), HttpOnly,
 * SameSite=Strict, scoped to /admin/console, lasting 30 minutes. It is stateless — expiry, a nonce
 * and an HMAC under a key derived from the master key AND the admin token — so every instance behind
 * a balancer accepts it, and changing the admin token ends every console session at once. The CSRF
 * token of its forms is a second HMAC of the cookie value.
 */
export class AdminSessions {
  readonly #key: Buffer
  readonly #names: CookieNames
  readonly cookieName: string

  constructor(masterDerivedKey: Uint8Array, adminToken: string, names: CookieNames) {
    this.#key = createHmac('sha256', Buffer.from(masterDerivedKey)).update(adminToken, 'utf8').digest()
    this.#names = names
    // __Host- would force Path=/; __Secure- keeps the Secure guarantee with a narrower path.
    this.cookieName = names.secure ? '__Secure-tessera-admin' : 'tessera-admin'
  }

  #mac(purpose: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url')
  }

  /** A new session cookie value, valid until `now + ADMIN_SESSION_MS`. */
  create(now: number): string {
    const body = `${(now + ADMIN_SESSION_MS).toString(36)}.${randomBytes(16).toString('base64url')}`
    return `${body}.${this.#mac('session', body)}`
  }

  /** The session's CSRF token when `value` is a live session cookie we made; undefined otherwise. */
  verify(value: string | undefined, now: number): { csrfToken: string } | undefined {
    const match = value === undefined ? null : VALUE_SHAPE.exec(value)
    if (match === null || value === undefined) return undefined
    const [, expiry = '', nonce = '', mac = ''] = match
    if (!equal(mac, this.#mac('session', `${expiry}.${nonce}`))) return undefined
    if (Number.parseInt(expiry, 36) <= now) return undefined
    return { csrfToken: this.#mac('csrf', value) }
  }

  /** Reads our cookie from a Cookie header; a repeated name counts as absent. */
  read(header: string | undefined): string | undefined {
    if (header === undefined || header.length > 8192) return undefined
    let found: string | undefined
    for (const part of header.split(';')) {
      const eq = part.indexOf('=')
      if (eq < 0 || part.slice(0, eq).trim() !== this.cookieName) continue
      if (found !== undefined) return undefined
      found = part.slice(eq + 1).trim()
    }
    return found
  }

  setCookie(value: string): string {
    return `${this.cookieName}=${value}; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Strict${this.#names.secure ? '; Secure' : ''}; Max-Age=${ADMIN_SESSION_MS / 1000}`
  }

  clearCookie(): string {
    return `${this.cookieName}=; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Strict${this.#names.secure ? '; Secure' : ''}; Max-Age=0`
  }
}
