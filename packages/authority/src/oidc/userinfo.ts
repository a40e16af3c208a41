import type { JWTPayload } from '@tessera/jose'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { clientTarget } from '../encryption/client-target.js'
import { createAccessTokenVerifier } from '../keys/access-token-verifier.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PATHS } from '../lib/paths.js'
import type { OidcUser } from './oidc-service.js'

/** RFC 6750 §3: every failure carries a Bearer challenge naming the error. */
function bearerError(error: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string) {
  const challenge = `Bearer realm="tessera", error="${error}"${error === 'insufficient_scope' ? ', scope="openid"' : ''}`
  return new OAuthError(error, description, {
    status: error === 'invalid_request' ? 400 : error === 'invalid_token' ? 401 : 403,
    headers: { 'www-authenticate': challenge },
  })
}

/**
 * Step: the bearer token, from the Authorization header (RFC 6750 §2.1) or, for a form POST, the
 * `access_token` field (§2.2) — exactly one of them. Query parameters (§2.3) are not accepted.
 */
function presentedToken(request: FastifyRequest): string {
  const header = request.headers.authorization
  const body = request.body as Record<string, unknown> | undefined | null
  const field = request.method === 'POST' && body && typeof body === 'object' ? body.access_token : undefined
  if (header !== undefined && field !== undefined)
    throw bearerError('invalid_request', 'send the access token one way only')
  if (field !== undefined) {
    if (
      typeof field !== 'string' ||
      !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
    )
      throw bearerError('invalid_request', 'the access_token field must be form-encoded')
    return field
  }
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header ?? '')
  if (!match) {
    // §3.1: a request without credentials gets the challenge and no error code in it.
    if (header === undefined)
      throw new OAuthError('invalid_token', 'a bearer access token is required', {
        headers: { 'www-authenticate': 'Bearer realm="tessera"' },
      })
    throw bearerError('invalid_request', 'malformed Authorization header')
  }
  return match[1] as string
}

/** Step: one of our access tokens, live and unrevoked, issued for a user with the `openid` scope. */
async function checkToken(
  ctx: AuthorityContext,
  verify: (token: string) => Promise<JWTPayload | undefined>,
  token: string,
): Promise<JWTPayload> {
  const payload = token.length <= 8192 ? await verify(token) : undefined
  if (!payload || typeof payload.sub !== 'string')
    throw bearerError('invalid_token', 'the access token is not valid')
  const revoked = await ctx.storage.isAccessTokenRevoked({
    jti: payload.jti as string,
    issuedAt: (payload.iat ?? 0) * 1000,
    sub: payload.sub,
    clientId: payload.client_id as string,
    device: payload.acl !== undefined,
  })
  if (revoked) throw bearerError('invalid_token', 'the access token is not valid')
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
  if (!scopes.includes('openid')) throw bearerError('insufficient_scope', 'the token lacks the openid scope')
  return payload
}

/** OIDC Core §5.3.2: `sub`, and the claims of the granted scopes. */
function claimsFor(user: OidcUser, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id }
  if (scopes.includes('email')) {
    claims.email = user.email
    claims.email_verified = user.emailVerified
  }
  return claims
}

/**
 * OIDC Core §5.3.2 and §10.2: for a client that registered `userinfo_encrypted_response_alg`, the
 * claims plus `iss` and `aud` signed by the current key, then encrypted to the client, as
 * `application/jwt`. Others get JSON.
 */
async function encryptedResponse(ctx: AuthorityContext, clientId: unknown, claims: Record<string, unknown>) {
  const client = typeof clientId === 'string' ? await ctx.clients.find(clientId) : undefined
  const target = client ? clientTarget(client, 'userinfo') : undefined
  if (!client || !target) return undefined
  const signing = ctx.keys.ring.signing
  if (!signing) throw new OAuthError('temporarily_unavailable', 'no signing key is available')
  const iat = Math.floor(ctx.clock.now() / 1000)
  const signed = await signing.signIdToken({ ...claims, iss: ctx.config.issuer, aud: client.clientId, iat })
  return ctx.encryption.recipients.encrypt(signed, target)
}

/** The UserInfo endpoint (OIDC Core §5.3), GET and POST, behind an RFC 6750 bearer token. */
export function registerUserinfo(app: FastifyInstance, ctx: AuthorityContext): void {
  const verify = createAccessTokenVerifier(ctx)
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const payload = await checkToken(ctx, verify, presentedToken(request))
    const user = await ctx.oidc.activeUser(payload.sub as string)
    if (!user) throw bearerError('invalid_token', 'the access token is not valid')
    const claims = claimsFor(user, (payload.scope as string).split(' '))
    const jwt = await encryptedResponse(ctx, payload.client_id, claims)
    reply.header('cache-control', 'no-store')
    return jwt === undefined ? reply.send(claims) : reply.type('application/jwt').send(jwt)
  }
  app.get(PATHS.userinfo, handler)
  app.post(PATHS.userinfo, handler)
}
