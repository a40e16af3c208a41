import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import type { FormBody } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import { verifierMatches } from '../oidc/pkce.js'
import { issueUserTokens } from '../oidc/user-tokens.js'
import type { AuthorizationCodeRecord, CodeIssue } from '../storage/types.js'
import { requireGrantType } from './device-token.js'
import type { TokenResponse } from './types.js'

const refused = (description: string): never => {
  throw new OAuthError('invalid_grant', description)
}

/** RFC 6749 §4.1.2: a replayed code is refused, and what its first exchange issued is revoked. */
async function revokeIssued(ctx: AuthorityContext, issued: CodeIssue | null, reason: string) {
  if (!issued) return
  await ctx.storage.revokeToken(issued.accessJti, issued.accessExpiresAt + ctx.config.clockTolerance * 1000)
  if (issued.refreshFamilyId !== null) await ctx.refresh.revokeFamily(issued.refreshFamilyId, reason)
}

/** Step: consume the code (single use, short-lived); a replay revokes the first exchange's tokens. */
async function consumeCode(ctx: AuthorityContext, client: Client, code: string) {
  const result = await ctx.oidc.codes.consume(code)
  if (result.outcome === 'replayed') {
    await revokeIssued(ctx, result.issued, 'code-replayed')
    ctx.audit.record('authorization_code.replayed', result.code.userId, {
      client_id: client.clientId,
      revoked_jti: result.issued?.accessJti ?? null,
      revoked_family: result.issued?.refreshFamilyId ?? null,
    })
    return refused('the authorization code was already used; the tokens issued for it are revoked')
  }
  if (result.outcome !== 'consumed') return refused('the authorization code is invalid or has expired')
  return { record: result.code, hash: result.hash as string }
}

/** Step: the code belongs to this client, this redirect_uri and this PKCE verifier (RFC 7636 §4.6). */
function checkBinding(client: Client, form: FormBody, record: AuthorizationCodeRecord): void {
  if (record.clientId !== client.clientId) refused('the authorization code was not issued to this client')
  // §4.1.3: identical to the redirect_uri of the authorization request.
  if (form.redirect_uri !== record.redirectUri)
    refused('"redirect_uri" does not match the authorization request')
  if (!verifierMatches(form.code_verifier, record.codeChallenge))
    refused('"code_verifier" does not match the code challenge')
}

/** Step: `offline_access`, granted to a client registered for refresh tokens, starts a family. */
async function startRefreshFamily(ctx: AuthorityContext, client: Client, record: AuthorizationCodeRecord) {
  const scopes = record.scope.split(' ')
  if (!scopes.includes('offline_access') || !client.metadata.grant_types.includes('refresh_token'))
    return undefined
  return ctx.refresh.startUserFamily(client.clientId, client.metadata.resources?.[0] ?? ctx.config.issuer, {
    userId: record.userId,
    sessionId: record.sessionId,
    scope: record.scope,
    authTime: record.authTime,
    amr: record.amr,
  })
}

/**
 * RFC 6749 §4.1.3 with RFC 7636 and OIDC Core §3.1.3: the authorization code grant, read top to
 * bottom as the processing rules. Every failure is invalid_grant; once presented, a code is spent.
 */
export async function authorizationCode(
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
): Promise<TokenResponse> {
  requireGrantType(client, 'authorization_code')
  if (!form.code) throw new OAuthError('invalid_request', '"code" is required')
  if (!form.redirect_uri) throw new OAuthError('invalid_request', '"redirect_uri" is required')
  if (!form.code_verifier) throw new OAuthError('invalid_request', '"code_verifier" is required (PKCE)')
  const { record, hash } = await consumeCode(ctx, client, form.code)
  checkBinding(client, form, record)
  // The user may have been disabled or deleted since the code was issued.
  if (!(await ctx.oidc.userIsActive(record.userId))) refused('the user is not active')
  // Signed out since (here, everywhere, or timed out): the grant went with the session.
  if (!(await ctx.oidc.sessionIsLive(record.userId, record.sessionId)))
    refused('the sign-in that granted this code has ended')
  const family = await startRefreshFamily(ctx, client, record)
  const issued = await issueUserTokens(ctx, client, record, family?.token)
  const untouched = await ctx.oidc.codes.recordIssue(hash, {
    accessJti: issued.jti,
    accessExpiresAt: issued.accessExpiresAt,
    refreshFamilyId: family?.family.id ?? null,
  })
  if (!untouched) {
    // Replayed while these tokens were minted: they never leave the server.
    await revokeIssued(
      ctx,
      {
        accessJti: issued.jti,
        accessExpiresAt: issued.accessExpiresAt,
        refreshFamilyId: family?.family.id ?? null,
      },
      'code-replayed',
    )
    refused('the authorization code was already used; the tokens issued for it are revoked')
  }
  ctx.audit.record('authorization_code.exchanged', record.userId, { client_id: client.clientId })
  return issued.response
}
