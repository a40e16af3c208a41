import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { authenticateClient } from '../clients/authenticate-client.js'
import { PUBLIC_CLIENT_GRANTS } from '../clients/client-metadata.js'
import { GRANTS, type TokenResponse } from '../grants/index.js'
import { type FormBody, formOf } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PATHS } from '../lib/paths.js'
import { takeOrRefuse } from '../limits/window-limit.js'

/** RFC 6749 §4: the grant handler for `grant_type`, from the map; unknown types are refused. */
function selectGrant(form: FormBody) {
  const grantType = form.grant_type
  if (!grantType) throw new OAuthError('invalid_request', '"grant_type" is required')
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined
  if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`)
  return grant
}

/**
 * The token endpoint's processing rules (RFC 6749 §3.2), read top to bottom as the RFC's, apart from
 * any HTTP framework: the Fastify route below and the front door's fast path (token-front-door.ts)
 * both answer with this.
 */
export async function answerTokenRequest(
  ctx: AuthorityContext,
  form: FormBody,
  authorization: string | undefined,
  address: string,
): Promise<TokenResponse> {
  // Refuse floods before spending a hash or a signature verification on them.
  await takeOrRefuse(ctx.limits.perAddress, address, 'too many token requests')
  // §3.2.1, §2.3: confidential clients authenticate with the registered method.
  const client = await authenticateClient(authorization, form, ctx.clientAuth, { allowPublic: true })
  await takeOrRefuse(ctx.limits.perClient, client.clientId, 'too many token requests')
  // §4: dispatch on grant_type.
  const grant = selectGrant(form)
  // §5.2 unauthorized_client: only the grant types the client registered (RFC 7591 §2).
  if (!client.metadata.grant_types.includes(form.grant_type as string)) {
    throw new OAuthError('unauthorized_client', 'this client is not registered for that grant type')
  }
  // Registration already refuses other grants for public clients; a stored record is not trusted to.
  const isPublic = client.metadata.token_endpoint_auth_method === 'none'
  if (isPublic && !PUBLIC_CLIENT_GRANTS.includes(form.grant_type as string)) {
    throw new OAuthError('unauthorized_client', 'a public client may not use this grant type')
  }
  return grant(ctx, client, form, { address })
}

/** §5.1: token responses must not be cached. */
export const TOKEN_RESPONSE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const

/** The token endpoint as a Fastify route: §3.2's parameters arrive form-encoded in a POST body. */
export function registerToken(app: FastifyInstance, ctx: AuthorityContext): void {
  app.post(PATHS.token, async (request: FastifyRequest, reply: FastifyReply) => {
    const form = formOf(request.body, request.headers['content-type'])
    const response = await answerTokenRequest(ctx, form, request.headers.authorization, request.ip)
    return reply.headers(TOKEN_RESPONSE_HEADERS).send(response)
  })
}
