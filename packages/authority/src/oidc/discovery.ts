import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { CONTENT_ENCRYPTION_ALGORITHMS, KEY_MANAGEMENT_ALGORITHMS } from '../encryption/algorithms.js'
import { buildMetadata } from '../endpoints/metadata.js'
import { endpointUrl, PATHS } from '../lib/paths.js'
import { CLAIMS_SUPPORTED } from './scopes.js'

/**
 * OpenID Connect Discovery 1.0 §3: the RFC 8414 metadata plus what an OpenID provider states —
 * each entry true of this server (a test drives openid-client through every one of them).
 */
export function buildOpenIdConfiguration(ctx: AuthorityContext): Record<string, unknown> {
  const url = (path: string) => endpointUrl(ctx.config, path)
  const signingAlgs = [...new Set([ctx.config.signingAlg, ...ctx.keys.ring.algorithms])]
  return {
    ...buildMetadata(ctx),
    userinfo_endpoint: url(PATHS.userinfo),
    end_session_endpoint: url(PATHS.endSession),
    subject_types_supported: ['public'],
    // The configured algorithm, and any other that a published key (say, from before a change of
    // signingAlg) may still be signing or verifying with.
    id_token_signing_alg_values_supported: signingAlgs,
    // OIDC Core §10.2: signed, then encrypted, for clients that register a `use: enc` key.
    id_token_encryption_alg_values_supported: [...KEY_MANAGEMENT_ALGORITHMS],
    id_token_encryption_enc_values_supported: [...CONTENT_ENCRYPTION_ALGORITHMS],
    userinfo_signing_alg_values_supported: signingAlgs,
    userinfo_encryption_alg_values_supported: [...KEY_MANAGEMENT_ALGORITHMS],
    userinfo_encryption_enc_values_supported: [...CONTENT_ENCRYPTION_ALGORITHMS],
    claims_supported: [...CLAIMS_SUPPORTED],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    prompt_values_supported: ['none', 'login', 'consent'],
  }
}

export function registerDiscovery(app: FastifyInstance, ctx: AuthorityContext): void {
  // Rebuilt only when the key set changes (its algorithms are part of the document).
  let cached: { fingerprint: string; body: string } | undefined
  app.get(PATHS.openidConfiguration, async (_request, reply) => {
    const fingerprint = ctx.keys.ring.fingerprint
    if (cached?.fingerprint !== fingerprint)
      cached = { fingerprint, body: JSON.stringify(buildOpenIdConfiguration(ctx)) }
    reply.header('cache-control', 'public, max-age=3600').type('application/json').send(cached.body)
  })
}
