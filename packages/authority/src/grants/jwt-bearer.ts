import { isJOSEError, JWTClaimValidationError, unsafeDecodeJWT, verifyJWT } from '@tessera/jose'
import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import type { FormBody } from '../lib/form-body.js'
import { isDeviceId, isOpaqueId } from '../lib/identifiers.js'
import { OAuthError } from '../lib/oauth-error.js'
import { endpointUrl, PATHS } from '../lib/paths.js'
import { resolveAudience } from './audience.js'
import { deviceTokenResponse, requireGrantType } from './device-token.js'
import type { GrantRequest, TokenResponse } from './types.js'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** The bound on device assertions: `exp` at most ten minutes ahead, `iat` no older. */
const MAX_ASSERTION_LIFETIME = 600
/**
 * Until the device's signature has verified, every failure reads the same: a malformed assertion, an
 * unknown or disabled device and a bad signature are indistinguishable, so the answers reveal no ids.
 */
const UNVERIFIED = 'the assertion could not be verified'

/**
 * Device login, RFC 7523 §2.1: the registered client presents an assertion the device signed with its
 * own key (`iss` = `sub` = device id). The client's own authentication has already happened at the
 * token endpoint; this proves the device. The answer is a device access token and the first refresh
 * token of a new family, bound to this client and this device.
 */
export async function jwtBearer(
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
  request: GrantRequest,
): Promise<TokenResponse> {
  requireGrantType(client, JWT_BEARER_GRANT)
  const address = request.address
  await ctx.deviceFailures.checkAddress(address)
  // §2.1: exactly one JWT in `assertion`.
  if (!form.assertion) throw new OAuthError('invalid_request', '"assertion" is required')
  let deviceId: string | undefined
  /** `verified`: the device's key signed what failed, so the failure is the device's (with this client). */
  const fail = async (reason: string, description: string, verified = false): Promise<never> => {
    if (verified && deviceId !== undefined)
      await ctx.deviceFailures.failVerified(address, deviceId, client.clientId)
    else await ctx.deviceFailures.failUnverified(address)
    ctx.audit.record('device.login_failed', deviceId ?? '-', { reason, client_id: client.clientId, address })
    throw new OAuthError('invalid_grant', description)
  }
  try {
    const iss = unsafeDecodeJWT(form.assertion).payload.iss
    if (isDeviceId(iss)) deviceId = iss
  } catch {
    await fail('malformed', UNVERIFIED)
  }
  if (deviceId === undefined) return await fail('no_issuer', UNVERIFIED)
  await ctx.deviceFailures.checkDevice(deviceId, client.clientId)
  const device = await ctx.devices.find(deviceId)
  if (device?.status !== 'active') return await fail(device ? 'disabled' : 'unknown', UNVERIFIED)

  let payload: Record<string, unknown>
  try {
    ;({ payload } = await verifyJWT(form.assertion, device.key, {
      // `EdDSA` is the older, polymorphic name; with an Ed25519 key it means exactly Ed25519.
      algorithms: device.alg === 'Ed25519' ? ['Ed25519', 'EdDSA'] : [device.alg],
      issuer: device.id,
      subject: device.id,
      // §3: the audience identifies this authorization server, by issuer or token endpoint URL.
      audience: [ctx.config.issuer, endpointUrl(ctx.config, PATHS.token)],
      requiredClaims: ['exp', 'iat', 'jti'],
      maxTokenAge: MAX_ASSERTION_LIFETIME,
      clockTolerance: ctx.config.clockTolerance,
      ...(ctx.clock.date ? { currentDate: ctx.clock.date } : {}),
    }))
  } catch (error) {
    if (!isJOSEError(error)) throw error
    // Claims are validated only once the signature has verified: those failures are the device's.
    if (error instanceof JWTClaimValidationError)
      return await fail('claims', `invalid assertion: ${error.message}`, true)
    return await fail('invalid_assertion', UNVERIFIED)
  }
  const exp = payload.exp as number
  if (exp - ctx.clock.now() / 1000 > MAX_ASSERTION_LIFETIME + ctx.config.clockTolerance) {
    await fail('too_long', 'the assertion must expire within 10 minutes', true)
  }
  const jti = payload.jti
  if (!isOpaqueId(jti)) return await fail('jti', '"jti" must be 1 to 200 visible ASCII characters', true)
  // §3 item 7: single use, remembered until the assertion could no longer verify anyway. The prefix
  // keeps device and client-assertion identifiers apart in the shared replay store.
  if (!(await ctx.counters.useOnce(`device:${device.id}:${jti}`, (exp + ctx.config.clockTolerance) * 1000))) {
    await fail('replayed', 'the assertion was already used', true)
  }
  const audience = resolveAudience(ctx, client, form.resource)
  const { token, family } = await ctx.refresh.startFamily(client.clientId, device.id, audience)
  ctx.audit.record('device.login', device.id, { client_id: client.clientId, family: family.id, address })
  return deviceTokenResponse(ctx, client, device, audience, token)
}
