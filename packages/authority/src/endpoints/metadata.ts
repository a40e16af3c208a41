import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { AUTH_METHODS, GRANT_TYPES } from '../clients/client-metadata.js'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import { endpointUrl, PATHS } from '../lib/paths.js'

/**
 * RFC 8414 §2 authorization server metadata, also served at the OpenID Connect discovery path so
 * clients that only know that one find the same document. Built once: it never changes at run time.
 */
export function buildMetadata(ctx: AuthorityContext): Record<string, unknown> {
  const url = (path: string) => endpointUrl(ctx.config, path)
  return {
    issuer: ctx.config.issuer,
    token_endpoint: url(PATHS.token),
    jwks_uri: url(PATHS.jwks),
    registration_endpoint: url(PATHS.registration),
    introspection_endpoint: url(PATHS.introspection),
    revocation_endpoint: url(PATHS.revocation),
    grant_types_supported: [...GRANT_TYPES],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ALLOWED_ALGORITHMS],
    introspection_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    // RFC 9068 §2.1 access tokens are signed with the configured algorithm.
    access_token_signing_alg_values_supported: [ctx.config.signingAlg],
    authorization_response_iss_parameter_supported: false,
  }
}

export function registerMetadata(app: FastifyInstance, ctx: AuthorityContext): void {
  const body = JSON.stringify(buildMetadata(ctx))
  for (const path of [PATHS.metadata, PATHS.openidConfiguration]) {
    app.get(path, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600').type('application/json').send(body)
    })
  }
}
