import type { BrowserSessionRecord } from '../storage/types.js'

/** A signed-in browser, as the pages and the OIDC endpoints see it. */
export interface BrowserSession {
  /** Public session id (not the cookie value): shown on the account page, recorded on refresh families. */
  readonly id: string
  readonly userId: string
  /** When the email proof was made, epoch seconds (OIDC `auth_time`). */
  readonly authTime: number
  /** RFC 8176 authentication methods: `["otp"]` for a typed code, `["email"]` for the magic link. */
  readonly amr: readonly string[]
  /** The synchronizer token every form of this session carries (`csrf_token`). */
  readonly csrfToken: string
  /** Milliseconds since the epoch. */
  readonly createdAt: number
  /** Milliseconds since the epoch; updated at most once a minute. */
  readonly lastSeenAt: number
  /** Absolute timeout, milliseconds since the epoch. */
  readonly expiresAt: number
  readonly userAgent: string
  readonly address: string
}

function parseAmr(text: string): readonly string[] {
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return Object.freeze(value)
  } catch {}
  return Object.freeze([])
}

export function toBrowserSession(record: BrowserSessionRecord): BrowserSession {
  return Object.freeze({
    id: record.id,
    userId: record.userId,
    authTime: Math.floor(record.authTime / 1000),
    amr: parseAmr(record.amr),
    csrfToken: record.csrfToken,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: record.expiresAt,
    userAgent: record.userAgent,
    address: record.address,
  })
}
