import type { UserRecord } from '../storage/types.js'

/** 128 random bits after a fixed prefix: opaque, unguessable, and the `sub` of the user's tokens. */
export { USER_ID as USER_ID_SHAPE } from '../lib/identifiers.js'
export type { UserRecord, UserStatus } from '../storage/types.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** The user as the admin API shows it. */
export function userView(user: UserRecord) {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    status: user.status,
    created_at: iso(user.createdAt),
    last_login_at: iso(user.lastLoginAt),
  }
}
