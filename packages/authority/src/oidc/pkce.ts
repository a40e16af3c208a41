import { createHash, timingSafeEqual } from 'node:crypto'
import { OAuthError } from '../lib/oauth-error.js'

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters. */
const CHALLENGE_S256 = /^[A-Za-z0-9_-]{43}$/
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/**
 * The authorization request's PKCE parameters (RFC 7636 §4.3): required for every client, and only
 * S256 (RFC 9700 §2.1.1) — `plain` would hand the verifier to whoever sees the request.
 */
export function checkCodeChallenge(challenge: string | undefined, method: string | undefined): string {
  if (challenge === undefined || challenge === '')
    throw new OAuthError('invalid_request', '"code_challenge" is required (PKCE, S256)')
  if (method !== 'S256') throw new OAuthError('invalid_request', '"code_challenge_method" must be S256')
  if (!CHALLENGE_S256.test(challenge))
    throw new OAuthError('invalid_request', '"code_challenge" must be a base64url SHA-256 digest')
  return challenge
}

/** RFC 7636 §4.6: the verifier hashes to the challenge, compared in constant time. */
export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url')
  return timingSafeEqual(Buffer.from(computed), Buffer.from(challenge))
}
