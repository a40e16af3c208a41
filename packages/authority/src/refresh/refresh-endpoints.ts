import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import { isClientId, isDeviceId, isOpaqueId } from '../lib/identifiers.js'
import { OAuthError } from '../lib/oauth-error.js'
import type { CutoffKind } from '../storage/types.js'

// Where refresh tokens meet the endpoints: RFC 7662 introspection, RFC 7009 revocation, and the
// admin kill switch that revokes a device's, client's or subject's refresh families and access tokens.

/** Our refresh tokens are 43 base64url characters, never a JWT: no signature check is spent on them. */
export function looksLikeRefreshToken(token: string): boolean {
  return !token.includes('.')
}

/**
 * RFC 7662 for a refresh token. Only the client it was issued to learns anything about it: to any
 * other caller it is simply inactive, like a token that does not exist.
 */
export async function introspectRefreshToken(
  ctx: AuthorityContext,
  client: Client,
  token: string,
): Promise<Record<string, unknown>> {
  const found = await ctx.refresh.find(token)
  if (!found || found.family.clientId !== client.clientId || !(await ctx.refresh.isActive(found))) {
    return { active: false }
  }
  const { token: record, family } = found
  return {
    active: true,
    token_type: 'refresh_token',
    client_id: family.clientId,
    sub: family.deviceId,
    iss: ctx.config.issuer,
    iat: Math.floor(record.issuedAt / 1000),
    // The earlier of the idle timeout and the family's absolute lifetime.
    exp: Math.floor(Math.min(record.idleExpiresAt, family.expiresAt) / 1000),
  }
}

/**
 * RFC 7009 for a refresh token: revoking any token of a family, used or not, revokes the family
 * (§2.1 lets the server revoke the whole grant). Unknown tokens need nothing (§2.2).
 */
export async function revokeRefreshToken(
  ctx: AuthorityContext,
  client: Client,
  token: string,
): Promise<void> {
  const found = await ctx.refresh.find(token)
  if (!found) return
  if (found.family.clientId !== client.clientId) {
    throw new OAuthError('unauthorized_client', 'the token was not issued to this client')
  }
  if (await ctx.refresh.revokeFamily(found.family.id, 'revoked')) {
    ctx.audit.record('refresh_token.revoked', found.family.deviceId, {
      family: found.family.id,
      client_id: client.clientId,
    })
  }
}

/** Each kill-switch target, with the shape its value must have to name anything at all. */
const KINDS: Readonly<Record<CutoffKind, (value: unknown) => value is string>> = {
  device: isDeviceId,
  client: isClientId,
  subject: isOpaqueId,
}
/** The longest an access token can live (the configuration's upper bound), in milliseconds. */
const MAX_ACCESS_TOKEN_LIFETIME = 3600_000

/**
 * Revokes everything of a device, a client or a subject issued before now: their refresh families
 * at once, and their access tokens at introspection (`iat` has one-second resolution, so tokens
 * issued within the same second as the kill are revoked too). The cutoff is kept until every token
 * it could cover has expired.
 */
export async function killSwitch(ctx: AuthorityContext, kind: CutoffKind, value: string) {
  const now = ctx.clock.now()
  const keepUntil =
    now +
    Math.max(MAX_ACCESS_TOKEN_LIFETIME, ctx.config.refreshTokenLifetime * 1000) +
    ctx.config.clockTolerance * 1000
  const families = await ctx.storage.revokeIssuedBefore(kind, value, now, keepUntil)
  ctx.audit.record('kill_switch', value, { kind, families })
  return { kind, value, revoked_before: new Date(now).toISOString(), refresh_families_revoked: families }
}

/** `POST /admin/kill-switch` with `{"device": id}`, `{"client": id}` or `{"subject": sub}`. */
export function registerKillSwitch(admin: FastifyInstance, ctx: AuthorityContext): void {
  admin.post('/kill-switch', async (request) => {
    const body = request.body
    const entries =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.entries(body) : []
    const [kind, value] = entries[0] ?? []
    const shape =
      typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? KINDS[kind as CutoffKind] : undefined
    if (entries.length !== 1 || shape === undefined || !shape(value)) {
      throw new OAuthError(
        'invalid_request',
        'the body must be one of {"device": id}, {"client": id}, {"subject": sub}',
      )
    }
    return killSwitch(ctx, kind as CutoffKind, value)
  })
}
