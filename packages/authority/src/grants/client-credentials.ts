import { randomUUID } from 'node:crypto'
import type { AuthorityContext } from '../authority-context.js'
import { parseScope } from '../clients/client-metadata.js'
import type { Client } from '../clients/client-registry.js'
import { protectAccessToken } from '../encryption/protect-access-token.js'
import type { FormBody } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { resolveAudience } from './audience.js'
import type { TokenResponse } from './types.js'

/** RFC 6749 §3.3: the requested scopes, all registered for the client; none requested means all. */
function resolveScope(client: Client, requested: string | undefined): string[] {
  if (requested === undefined) return [...client.scopes]
  const scopes = parseScope(requested)
  const refused = scopes.filter((scope) => !client.scopes.has(scope))
  if (refused.length > 0)
    throw new OAuthError('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`)
  return scopes
}

/**
 * RFC 6749 §4.4 client credentials: the client is already authenticated; issue an RFC 9068 access
 * token for its scope and audience, signed on the thread pool by the current key.
 */
export async function clientCredentials(
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
): Promise<TokenResponse> {
  const scopes = resolveScope(client, form.scope)
  const audience = resolveAudience(ctx, client, form.resource)
  const signing = ctx.keys.ring.signing
  if (!signing) throw new OAuthError('server_error', 'no signing key is available', { status: 503 })
  const iat = Math.floor(ctx.clock.now() / 1000)
  const lifetime = ctx.config.accessTokenLifetime
  const jti = randomUUID()
  const scope = scopes.join(' ')
  // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; sub is the client itself here.
  const claims: Record<string, unknown> & { aud: string; exp: number } = {
    iss: ctx.config.issuer,
    sub: client.clientId,
    aud: audience,
    client_id: client.clientId,
    iat,
    exp: iat + lifetime,
    jti,
  }
  if (scope) claims.scope = scope
  const accessToken = await protectAccessToken(ctx, await signing.sign(claims), claims, signing.kid)
  ctx.audit.record('token.issued', client.clientId, { jti, kid: signing.kid, aud: audience })
  const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime }
  if (scope) response.scope = scope
  return response
}
