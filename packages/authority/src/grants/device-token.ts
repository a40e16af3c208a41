import { randomUUID } from 'node:crypto'
import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import { expandAcl } from '../devices/device-acl.js'
import type { Device } from '../devices/device-registry.js'
import { protectAccessToken } from '../encryption/protect-access-token.js'
import { OAuthError } from '../lib/oauth-error.js'
import type { TokenResponse } from './types.js'

/**
 * The answer to a device login or refresh: an RFC 9068 access token for the device — `sub` is the
 * device, `client_id` the client that asked, `acl` its topic permissions with `{device}` expanded,
 * read fresh from the registry so ACL changes reach the next token — and the new refresh token.
 */
export async function deviceTokenResponse(
  ctx: AuthorityContext,
  client: Client,
  device: Device,
  audience: string,
  refreshToken: string,
): Promise<TokenResponse> {
  const signing = ctx.keys.ring.signing
  if (!signing) throw new OAuthError('server_error', 'no signing key is available', { status: 503 })
  const iat = Math.floor(ctx.clock.now() / 1000)
  const lifetime = ctx.config.deviceAccessTokenLifetime
  const jti = randomUUID()
  const claims = {
    iss: ctx.config.issuer,
    sub: device.id,
    aud: audience,
    client_id: client.clientId,
    iat,
    exp: iat + lifetime,
    jti,
    acl: expandAcl(device.acl, device.id),
  }
  const accessToken = await protectAccessToken(ctx, await signing.sign(claims), claims, signing.kid)
  ctx.audit.record('token.issued', device.id, {
    jti,
    kid: signing.kid,
    aud: audience,
    client_id: client.clientId,
  })
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: lifetime,
    refresh_token: refreshToken,
  }
}

/** The client must have registered the grant (RFC 7591 §2 grant_types); else unauthorized_client. */
export function requireGrantType(client: Client, grantType: string): void {
  if (!client.metadata.grant_types.includes(grantType)) {
    throw new OAuthError('unauthorized_client', `this client is not registered for the ${grantType} grant`)
  }
}
