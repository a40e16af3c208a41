import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { authenticateClient } from '../clients/authenticate-client.js'
import { createAccessTokenVerifier } from '../keys/access-token-verifier.js'
import { formOf } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PATHS } from '../lib/paths.js'
import { takeOrRefuse } from '../limits/window-limit.js'
import { introspectRefreshToken, looksLikeRefreshToken } from '../refresh/refresh-endpoints.js'

/** RFC 7662 token introspection, for the access and refresh tokens this authority issued. */
export function registerIntrospection(app: FastifyInstance, ctx: AuthorityContext): void {
  const verify = createAccessTokenVerifier(ctx)
  app.post(PATHS.introspection, async (request, reply) => {
    // §2.1: a form-encoded POST with `token` (and an optional `token_type_hint`, which we need not use).
    const form = formOf(request.body, request.headers['content-type'])
    // §4: the endpoint must resist token scanning; the token endpoint's limits apply, before any hash.
    await takeOrRefuse(ctx.limits.perAddress, request.ip, 'too many introspection requests')
    // §2.1: the caller is an authenticated client.
    const client = await authenticateClient(request.headers.authorization, form, ctx.clientAuth)
    await takeOrRefuse(ctx.limits.perClient, client.clientId, 'too many introspection requests')
    if (!form.token) throw new OAuthError('invalid_request', '"token" is required')
    reply.header('cache-control', 'no-store')
    if (looksLikeRefreshToken(form.token)) return introspectRefreshToken(ctx, client, form.token)
    // §2.2: anything not currently valid — bad signature, expired, revoked key, revoked token, a
    // kill switch for its client or subject — is just `active: false`, with no hint why.
    const payload = await verify(form.token)
    const active =
      payload !== undefined &&
      !(await ctx.storage.isAccessTokenRevoked({
        jti: payload.jti as string,
        issuedAt: (payload.iat ?? 0) * 1000,
        sub: payload.sub,
        clientId: payload.client_id as string,
        device: payload.acl !== undefined,
      }))
    if (!active || !payload) return { active: false }
    return {
      active: true,
      scope: payload.scope,
      client_id: payload.client_id,
      token_type: 'Bearer',
      exp: payload.exp,
      iat: payload.iat,
      sub: payload.sub,
      aud: payload.aud,
      iss: payload.iss,
      jti: payload.jti,
      // Device tokens: the topic permissions, for a broker that introspects instead of verifying.
      ...(payload.acl !== undefined ? { acl: payload.acl } : {}),
    }
  })
}
