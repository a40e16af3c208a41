import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { validateClientMetadata } from '../clients/client-metadata.js'
import { requireAdmin } from '../lib/admin-auth.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PATHS } from '../lib/paths.js'

/** RFC 7591 dynamic client registration, open only to holders of the admin bearer token (§3). */
export function registerRegistration(app: FastifyInstance, ctx: AuthorityContext): void {
  app.post(PATHS.registration, async (request, reply) => {
    // §3: the initial access token is the admin token.
    requireAdmin(request.headers.authorization, ctx.adminToken)
    // §3.1: the metadata is a JSON object.
    if (!request.headers['content-type']?.toLowerCase().startsWith('application/json')) {
      throw new OAuthError('invalid_client_metadata', 'the body must be application/json')
    }
    const metadata = validateClientMetadata(request.body, { allowHttpJwksUri: ctx.config.allowHttpJwksUri })
    const { client, secret, createdAt } = await ctx.clients.register(metadata)
    ctx.audit.record('client.registered', client.clientId, { method: metadata.token_endpoint_auth_method })
    // §3.2.1: the client information response, with the secret shown this once and never again.
    const response: Record<string, unknown> = {
      client_id: client.clientId,
      client_id_issued_at: Math.floor(createdAt / 1000),
      ...metadata,
    }
    if (secret !== undefined) {
      response.client_secret = secret
      response.client_secret_expires_at = 0
    }
    return reply.code(201).header('cache-control', 'no-store').send(response)
  })
}
