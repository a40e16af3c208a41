import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { AUTH_METHODS, CONFIDENTIAL_AUTH_METHODS, GRANT_TYPES } from '../clients/client-metadata.js'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import { endpointUrl, PATHS } from '../lib/paths.js'
import { OIDC_SCOPES } from '../oidc/scopes.js'

/**
 * RFC 8414 §2 authorization server metadata; the OpenID Connect discovery document (oidc/discovery)
 * extends it. Built once: it never changes at run time.
 */
export function buildMetadata(ctx: AuthorityContext): Record<string, unknown> {
  const url = (path: string) => endpointUrl(ctx.config, path)
  return {
    issuer: ctx.config.issuer,
    authorization_endpoint: url(PATHS.authorization),
    token_endpoint: url(PATHS.token),
    jwks_uri: url(PATHS.jwks),
    registration_endpoint: url(PATHS.registration),
    introspection_endpoint: url(PATHS.introspection),
    revocation_endpoint: url(PATHS.revocation),
    // Tessera's gateways poll this signed list of revocations (not an RFC 8414 name).
    revocations_endpoint: url(PATHS.revocations),
    grant_types_supported: [...GRANT_TYPES],
    // The authorization code flow only, with PKCE S256 required of every client (RFC 9700 §2.1.1).
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [...OIDC_SCOPES],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ALLOWED_ALGORITHMS],
    introspection_endpoint_auth_methods_supported: [...CONFIDENTIAL_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    // RFC 9068 §2.1 access tokens are signed with the configured algorithm.
    access_token_signing_alg_values_supported: [ctx.config.signingAlg],
    // RFC 9207: every authorization response, success or error, names the issuer.
    authorization_response_iss_parameter_supported: true,
  }
}

export function registerMetadata(app: FastifyInstance, ctx: AuthorityContext): void {
  const body = JSON.stringify(buildMetadata(ctx))
  app.get(PATHS.metadata, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('application/json').send(body)
  })
}
