import type { FastifyReply } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { FormBody } from '../lib/form-body.js'
import { html } from '../pages/html.js'
import { renderPage } from '../pages/layout.js'
import { sendPage } from '../pages/send-page.js'
import type { AuthorizationRequest } from './authorization-request.js'
import { appName } from './authorization-response.js'

export const CONSENT_PATH = '/oauth/authorize/consent'

/** What each scope lets the app do, in words for the person deciding. */
const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Know who you are when you sign in (an identifier unique to your account)',
  email: 'See your email address',
  profile: 'See your basic profile (this server keeps only your email address)',
  offline_access: 'Stay signed in and act for you while you are away, until you revoke it',
}

/**
 * Whether the user must be asked (OIDC Core §3.1.2.4): never for a first-party app; always with
 * prompt=consent; otherwise when no remembered consent covers every requested scope.
 */
export async function needsConsent(
  ctx: AuthorityContext,
  request: AuthorizationRequest,
  userId: string,
): Promise<boolean> {
  if (request.client.metadata.tessera_first_party === true) return false
  if (request.prompt.has('consent')) return true
  const consent = await ctx.storage.findConsent(userId, request.client.clientId)
  if (!consent) return true
  const granted = new Set(consent.scope.split(' '))
  return request.scopes.some((scope) => !granted.has(scope))
}

/** Remembers the consent, widened by what was granted before (never narrowed by a smaller request). */
export async function rememberConsent(ctx: AuthorityContext, request: AuthorizationRequest, userId: string) {
  const previous = await ctx.storage.findConsent(userId, request.client.clientId)
  const scopes = new Set([...(previous?.scope.split(' ') ?? []), ...request.scopes])
  await ctx.storage.upsertConsent({
    userId,
    clientId: request.client.clientId,
    scope: [...scopes].join(' '),
    grantedAt: ctx.clock.now(),
  })
}

/** The request's parameters as the consent form carries them back (prompt is decided by now). */
function carried(request: AuthorizationRequest): Record<string, string> {
  const fields: Record<string, string> = {
    client_id: request.client.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scopes.join(' '),
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  }
  if (request.state !== undefined) fields.state = request.state
  if (request.nonce !== undefined) fields.nonce = request.nonce
  return fields
}

/** The consent page: the app, what it asks for, and two buttons that post back with the CSRF token. */
export function sendConsentPage(
  reply: FastifyReply,
  request: AuthorizationRequest,
  signedIn: { email: string; csrfToken: string },
) {
  const name = appName(request)
  const hidden = Object.entries(carried(request)).map(
    ([field, value]) => html`<input type="hidden" name="${field}" value="${value}">`,
  )
  const scopes = request.scopes.map((scope) => html`<li>${SCOPE_WORDS[scope] ?? `Use “${scope}”`}</li>`)
  const body = html`<p><strong>${name}</strong> wants to use your Tessera account, ${signedIn.email}.</p>
<p id="consent-scopes">If you allow it, ${name} can:</p>
<ul aria-labelledby="consent-scopes">${scopes}</ul>
<p>You can withdraw this later on your account page, under “Connected apps”.</p>
<form method="post" action="${CONSENT_PATH}">
<input type="hidden" name="csrf_token" value="${signedIn.csrfToken}">
${hidden}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`
  return sendPage(reply, 200, renderPage({ title: `Allow ${name}?`, body, signedIn }))
}

/** The consent form's own fields, removed before the rest is validated as an authorization request. */
export function consentDecision(form: FormBody): { decision: string | undefined; params: FormBody } {
  const { decision, csrf_token: _csrf, ...params } = form
  return { decision, params }
}
