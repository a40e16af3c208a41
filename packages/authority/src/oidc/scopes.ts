import { parseScope } from '../clients/client-metadata.js'
import { OAuthError } from '../lib/oauth-error.js'

/**
 * The OpenID Connect scopes this provider understands (OIDC Core §5.4, §11) and the claims each
 * releases at the userinfo endpoint and in the ID token.
 */
export const OIDC_SCOPES = ['openid', 'email', 'profile', 'offline_access'] as const

/**
 * Claims this provider can state about a user, by scope. A passwordless user has only an email
 * address, so `profile` is accepted but releases nothing: no name is made up from the address.
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: [],
}

export const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'amr',
  'at_hash',
  'email',
  'email_verified',
] as const

/**
 * The scopes of an authorization request: `openid` is required (this endpoint serves OpenID
 * Connect only), every scope must be an OIDC one or one the client registered, repeats collapse.
 */
export function requestedScopes(scope: string | undefined, registered: ReadonlySet<string>): string[] {
  if (scope === undefined || scope === '')
    throw new OAuthError('invalid_scope', '"scope" must include openid')
  let scopes: string[]
  try {
    scopes = parseScope(scope)
  } catch {
    throw new OAuthError('invalid_scope', 'malformed "scope"')
  }
  if (!scopes.includes('openid')) throw new OAuthError('invalid_scope', '"scope" must include openid')
  const refused = scopes.filter(
    (name) => !(OIDC_SCOPES as readonly string[]).includes(name) && !registered.has(name),
  )
  if (refused.length > 0) throw new OAuthError('invalid_scope', `scope not allowed: ${refused.join(' ')}`)
  return scopes
}
