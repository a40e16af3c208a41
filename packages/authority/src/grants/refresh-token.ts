import type { Client } from '../clients/client-registry.js'
import type { AuthorityContext } from '../lib/context.js'
import type { FormBody } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { deviceTokenResponse, requireGrantType } from './device-token.js'
import type { GrantRequest, TokenResponse } from './index.js'

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  unknown: 'unknown refresh token',
  client_mismatch: 'the refresh token was not issued to this client',
  revoked: 'the refresh token has been revoked',
  expired: 'the refresh token has expired',
  reuse: 'the refresh token was already used; its whole family is now revoked',
  concurrent_retry: 'a concurrent retry of this refresh token won; use the token it returned',
  device: 'unknown or disabled device',
}

/**
 * RFC 6749 §6 refresh, with rotation (RFC 9700 §4.14.2): the presented token is consumed and a new
 * one issued atomically; every failure is invalid_grant, charged to the address and the device.
 */
export async function refreshToken(
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
  request: GrantRequest,
): Promise<TokenResponse> {
  requireGrantType(client, 'refresh_token')
  const address = request.address
  ctx.deviceFailures.check(address)
  if (!form.refresh_token) throw new OAuthError('invalid_request', '"refresh_token" is required')
  // §6: a refresh cannot widen the grant; this authority has no scope to narrow on device tokens.
  if (form.scope !== undefined) throw new OAuthError('invalid_scope', 'device tokens take no "scope"')
  const fail = (
    reason: string,
    deviceId: string | undefined,
    detail: Record<string, unknown> = {},
  ): never => {
    ctx.deviceFailures.fail(address, deviceId)
    ctx.audit.record('refresh_token.failed', deviceId ?? '-', {
      reason,
      client_id: client.clientId,
      address,
      ...detail,
    })
    throw new OAuthError('invalid_grant', DESCRIPTIONS[reason] ?? 'the refresh token is not valid')
  }
  const found = await ctx.refresh.find(form.refresh_token)
  if (!found) return fail('unknown', undefined)
  const deviceId = found.family.deviceId
  ctx.deviceFailures.check(address, deviceId)
  // Bound to its client: another client learns nothing more, and the family is left alone.
  if (found.family.clientId !== client.clientId) return fail('client_mismatch', deviceId)
  // Re-read the device every time: a disabled or deleted device stops refreshing at once.
  const device = await ctx.devices.find(deviceId)
  if (device?.status !== 'active') return fail('device', deviceId)
  const result = await ctx.refresh.rotate(found, client.clientId)
  if (!result.ok) {
    if (result.reason === 'reuse' && result.family) {
      ctx.audit.record('refresh_token_reuse', result.family.deviceId, {
        family: result.family.id,
        client_id: client.clientId,
        address,
      })
    }
    return fail(result.reason, result.family?.deviceId, result.family ? { family: result.family.id } : {})
  }
  ctx.audit.record('refresh_token.rotated', result.family.deviceId, {
    family: result.family.id,
    generation: result.record.generation,
    reissued: result.reissued,
    address,
  })
  return deviceTokenResponse(ctx, client, device, result.family.audience, result.token)
}
