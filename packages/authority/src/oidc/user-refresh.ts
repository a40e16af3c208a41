import type { AuthorityContext } from '../authority-context.js'
import { parseScope } from '../clients/client-metadata.js'
import type { Client } from '../clients/client-registry.js'
import type { TokenResponse } from '../grants/types.js'
import type { FormBody } from '../lib/form-body.js'
import { OAuthError } from '../lib/oauth-error.js'
import type { FoundRefreshToken } from '../refresh/refresh-tokens.js'
import type { UserGrantRecord } from '../storage/types.js'
import { issueUserTokens } from './user-tokens.js'

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  revoked: 'the refresh token has been revoked',
  expired: 'the refresh token has expired',
  reuse: 'the refresh token was already used; its whole family is now revoked',
  concurrent_retry: 'a concurrent retry of this refresh token won; use the token it returned',
}

/** RFC 6749 §6: a refresh may narrow the granted scope, never widen it. */
function narrowedScope(requested: string | undefined, granted: string): string {
  if (requested === undefined) return granted
  let scopes: string[]
  try {
    scopes = parseScope(requested)
  } catch {
    throw new OAuthError('invalid_scope', 'malformed "scope"')
  }
  const allowed = new Set(granted.split(' '))
  if (scopes.some((scope) => !allowed.has(scope)))
    throw new OAuthError('invalid_scope', 'a refresh cannot widen the granted scope')
  return scopes.join(' ')
}

/**
 * The refresh grant for a user's family (OIDC `offline_access`): rotation with reuse detection by
 * the same machinery as device tokens, the user re-read on every use, and a fresh ID token
 * (OIDC Core §12.2) with the original sign-in's auth_time and amr.
 */
export async function refreshUserGrant(
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
  found: FoundRefreshToken & { family: { user: UserGrantRecord } },
  fail: (reason: string, detail?: Record<string, unknown>) => Promise<never>,
): Promise<TokenResponse> {
  const { user } = found.family
  if (found.family.clientId !== client.clientId) return fail('client_mismatch')
  const scope = narrowedScope(form.scope, user.scope)
  if (!(await ctx.oidc.userIsActive(user.userId))) return fail('user')
  // Bound to the browser session: it must still be live (not signed out, not timed out).
  if (!(await ctx.oidc.sessionIsLive(user.userId, user.sessionId))) {
    await ctx.refresh.revokeFamily(found.family.id, 'session-ended')
    return fail('session')
  }
  const result = await ctx.refresh.rotate(found, client.clientId)
  if (!result.ok) {
    if (result.reason === 'reuse') {
      ctx.audit.record('refresh_token_reuse', user.userId, {
        family: found.family.id,
        client_id: client.clientId,
      })
    }
    throw new OAuthError('invalid_grant', DESCRIPTIONS[result.reason] ?? 'the refresh token is not valid')
  }
  ctx.audit.record('refresh_token.rotated', user.userId, {
    family: result.family.id,
    generation: result.record.generation,
    reissued: result.reissued,
  })
  const issued = await issueUserTokens(
    ctx,
    client,
    { userId: user.userId, scope, authTime: user.authTime, amr: user.amr },
    result.token,
  )
  return issued.response
}
