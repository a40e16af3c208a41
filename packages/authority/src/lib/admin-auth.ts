import { createHash, timingSafeEqual } from 'node:crypto'
import { OAuthError } from './oauth-error.js'

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/**
 * Checks `Authorization: Bearer <admin token>` (RFC 6750 §2.1) in constant time; failures are 401
 * invalid_token with a Bearer challenge (RFC 6750 §3).
 */
export function requireAdmin(authorization: string | undefined, adminToken: string): void {
  const match = /^Bearer ([\x21-\x7E]+)$/.exec(authorization ?? '')
  const presented = match?.[1]
  if (presented === undefined || !timingSafeEqual(digest(presented), digest(adminToken))) {
    throw new OAuthError('invalid_token', 'a valid admin bearer token is required', {
      headers: { 'www-authenticate': 'Bearer realm="tessera-admin", error="invalid_token"' },
    })
  }
}
