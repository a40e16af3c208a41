import { randomUUID } from 'node:crypto'
import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import { protectAccessToken } from '../encryption/protect-access-token.js'
import type { TokenResponse } from '../grants/types.js'
import { OAuthError } from '../lib/oauth-error.js'
import { mintIdToken } from './id-token.js'

/** A user's grant to a client, as the code or refresh token carries it. */
export interface UserGrant {
  readonly userId: string
  /** Space-separated scopes. */
  readonly scope: string
  /** Epoch seconds. */
  readonly authTime: number
  readonly amr: readonly string[]
  readonly nonce?: string | null
}

export interface IssuedUserTokens {
  readonly response: TokenResponse
  readonly jti: string
  /** Milliseconds. */
  readonly accessExpiresAt: number
}

/**
 * The tokens of a user's grant: an RFC 9068 access token (`sub` the user, `client_id` the app,
 * `scope` as granted, audience the client's default resource or the issuer), and the ID token
 * (OIDC Core §3.1.3.3) bound to it by `at_hash`; a refresh token when the caller has one.
 */
export async function issueUserTokens(
  ctx: AuthorityContext,
  client: Client,
  grant: UserGrant,
  refreshToken: string | undefined,
): Promise<IssuedUserTokens> {
  const signing = ctx.keys.ring.signing
  if (!signing) throw new OAuthError('server_error', 'no signing key is available', { status: 503 })
  const iat = Math.floor(ctx.clock.now() / 1000)
  const lifetime = ctx.config.accessTokenLifetime
  const jti = randomUUID()
  const audience = client.metadata.resources?.[0] ?? ctx.config.issuer
  const claims = {
    iss: ctx.config.issuer,
    sub: grant.userId,
    aud: audience,
    client_id: client.clientId,
    iat,
    exp: iat + lifetime,
    jti,
    scope: grant.scope,
    auth_time: grant.authTime,
  }
  const accessToken = await protectAccessToken(ctx, await signing.sign(claims), claims, signing.kid)
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: lifetime,
    scope: grant.scope,
  }
  if (refreshToken !== undefined) response.refresh_token = refreshToken
  if (grant.scope.split(' ').includes('openid')) {
    response.id_token = await mintIdToken(ctx, signing, client, {
      userId: grant.userId,
      authTime: grant.authTime,
      amr: grant.amr,
      nonce: grant.nonce ?? null,
      accessToken,
    })
  }
  ctx.audit.record('token.issued', grant.userId, {
    jti,
    kid: signing.kid,
    aud: audience,
    client_id: client.clientId,
  })
  return { response, jti, accessExpiresAt: (iat + lifetime) * 1000 }
}
