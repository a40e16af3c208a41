import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import type { FormBody } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { refreshUserGrant } from '../oidc/user-refresh.js'
import { deviceTokenResponse, requireGrantType } from './device-token.js'
import type { GrantRequest, TokenResponse } from './types.js'

/** The answer for a token that does not exist and for one issued to another client: the same words. */
const NOT_VALID = 'the refresh token is not valid'

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  unknown: NOT_VALID,
  client_mismatch: NOT_VALID,
  revoked: 'the refresh token has been revoked',
  expired: 'the refresh token has expired',
  reuse: 'the refresh token was already used; its whole family is now revoked',
  concurrent_retry: 'a concurrent retry of this refresh token won; use the token it returned',
  device: 'unknown or disabled device',
  user: 'the user is not active',
  session: 'the browser session this refresh token was issued under has ended',
}

/**
 * RFC 6749 §6 refresh, with rotation (RFC 9700 §4.14.2): the presented token is consumed and a new
 * one issued atomically; every failure is invalid_grant. A valid, unconsumed token is never refused
 * for failures others caused: the failure budget is consulted only on the way to a failure (an
 * address that has spent it gets 429 instead of another invalid_grant), and a failure is charged to
 * the device only when the token was issued to this client.
 */
export async function refreshToken(
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
  request: GrantRequest,
): Promise<TokenResponse> {
  requireGrantType(client, 'refresh_token')
  const address = request.address
  if (!form.refresh_token) throw new OAuthError('invalid_request', '"refresh_token" is required')
  const fail = async (
    reason: string,
    deviceId: string | undefined,
    detail: Record<string, unknown> = {},
  ): Promise<never> => {
    await ctx.deviceFailures.checkAddress(address)
    if (deviceId === undefined) await ctx.deviceFailures.failUnverified(address)
    else await ctx.deviceFailures.failVerified(address, deviceId, client.clientId)
    ctx.audit.record('refresh_token.failed', deviceId ?? '-', {
      reason,
      client_id: client.clientId,
      address,
      ...detail,
    })
    throw new OAuthError('invalid_grant', DESCRIPTIONS[reason] ?? NOT_VALID)
  }
  const found = await ctx.refresh.find(form.refresh_token)
  if (!found) return await fail('unknown', undefined)
  // A user's family (OIDC offline_access) refreshes a user's grant, not a device.
  const { user } = found.family
  if (user)
    return refreshUserGrant(
      ctx,
      client,
      form,
      { ...found, family: { ...found.family, user } },
      (reason, detail) => fail(reason, undefined, detail),
    )
  // §6: a refresh cannot widen the grant; this authority has no scope to narrow on device tokens.
  if (form.scope !== undefined) throw new OAuthError('invalid_scope', 'device tokens take no "scope"')
  // Bound to its client: another client learns nothing more, and the family is left alone.
  if (found.family.clientId !== client.clientId) return await fail('client_mismatch', undefined)
  const deviceId = found.family.deviceId
  // Re-read the device every time: a disabled or deleted device stops refreshing at once.
  const device = await ctx.devices.find(deviceId)
  if (device?.status !== 'active') return await fail('device', deviceId)
  const result = await ctx.refresh.rotate(found, client.clientId)
  if (!result.ok) {
    if (result.reason === 'reuse' && result.family) {
      ctx.audit.record('refresh_token_reuse', result.family.deviceId, {
        family: result.family.id,
        client_id: client.clientId,
        address,
      })
    }
    return await fail(result.reason, deviceId, result.family ? { family: result.family.id } : {})
  }
  ctx.audit.record('refresh_token.rotated', result.family.deviceId, {
    family: result.family.id,
    generation: result.record.generation,
    reissued: result.reissued,
    address,
  })
  return deviceTokenResponse(ctx, client, device, result.family.audience, result.token)
}
