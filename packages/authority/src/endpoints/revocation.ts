import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { authenticateClient } from '../clients/authenticate-client.js'
import { createAccessTokenVerifier } from '../keys/access-token-verifier.js'
import { formOf } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PATHS } from '../lib/paths.js'
import { takeOrRefuse } from '../limits/window-limit.js'
import { looksLikeRefreshToken, revokeRefreshToken } from '../refresh/refresh-endpoints.js'

/**
 * RFC 7009 token revocation: a revoked access token is inactive until it expires; a revoked refresh
 * token takes its whole family with it.
 */
export function registerRevocation(app: FastifyInstance, ctx: AuthorityContext): void {
  const verify = createAccessTokenVerifier(ctx)
  app.post(PATHS.revocation, async (request, reply) => {
    // §2.1: form-encoded POST with `token`, from an authenticated client.
    const form = formOf(request.body, request.headers['content-type'])
    // The token endpoint's limits, before any hash or signature is spent on the request.
    await takeOrRefuse(ctx.limits.perAddress, request.ip, 'too many revocation requests')
    // §2.1: public clients may revoke their own tokens too (identified by client_id).
    const client = await authenticateClient(request.headers.authorization, form, ctx.clientAuth, {
      allowPublic: true,
    })
    await takeOrRefuse(ctx.limits.perClient, client.clientId, 'too many revocation requests')
    if (!form.token) throw new OAuthError('invalid_request', '"token" is required')
    if (looksLikeRefreshToken(form.token)) {
      await revokeRefreshToken(ctx, client, form.token)
      return reply.header('cache-control', 'no-store').code(200).send()
    }
    const payload = await verify(form.token)
    // §2.2: an invalid or expired token needs no revoking; the answer is 200 all the same.
    if (payload !== undefined) {
      // §2.1: a client may revoke only tokens issued to it.
      if (payload.client_id !== client.clientId) {
        throw new OAuthError('unauthorized_client', 'the token was not issued to this client')
      }
      const expiresAt = ((payload.exp as number) + ctx.config.clockTolerance) * 1000
      await ctx.storage.revokeToken(payload.jti as string, expiresAt)
      ctx.audit.record('token.revoked', client.clientId, { jti: payload.jti })
    }
    return reply.header('cache-control', 'no-store').code(200).send()
  })
}
