import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { formOf } from '../lib/form-body.js'
import { isClientId } from '../lib/identifiers.js'
import { html, type SafeHtml } from '../pages/html.js'
import { PageError } from '../pages/page-error.js'
import { checkCsrf } from '../sessions/csrf.js'
import { readSignedIn } from '../sessions/read-session.js'

export const REVOKE_CONSENT_PATH = '/account/apps/revoke'

export interface ConnectedApp {
  readonly clientId: string
  readonly name: string
  readonly scopes: readonly string[]
  /** Milliseconds since the epoch. */
  readonly grantedAt: number
}

/** The apps the user has consented to (OIDC Core §3.1.2.4), for the account page. */
export async function listConsents(ctx: AuthorityContext, userId: string): Promise<ConnectedApp[]> {
  const consents = await ctx.storage.listConsents(userId)
  return Promise.all(
    consents.map(async (consent) => {
      const client = await ctx.clients.find(consent.clientId)
      return {
        clientId: consent.clientId,
        name: client?.metadata.client_name ?? consent.clientId,
        scopes: consent.scope.split(' '),
        grantedAt: consent.grantedAt,
      }
    }),
  )
}

/** The "Connected apps" section: each app, what it may do, and a revoke button (CSRF-protected). */
export async function renderConnectedApps(
  ctx: AuthorityContext,
  userId: string,
  csrfToken: string,
): Promise<SafeHtml> {
  const apps = await listConsents(ctx, userId)
  if (apps.length === 0)
    return html`<p class="hint" data-section="connected-apps">No apps are connected to your account.</p>`
  const rows = apps.map(
    (app) => html`<tr data-app="${app.clientId}">
<td>${app.name}</td>
<td>${app.scopes.join(', ')}</td>
<td>${new Date(app.grantedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC</td>
<td><form method="post" action="${REVOKE_CONSENT_PATH}" class="inline">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" class="secondary" aria-label="Revoke ${app.name}">Revoke</button>
</form></td>
</tr>`,
  )
  return html`<table data-section="connected-apps">
<caption>Apps you allowed to use your account</caption>
<thead><tr><th scope="col">App</th><th scope="col">Allowed</th><th scope="col">Since</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}

/**
 * `POST /account/apps/revoke`: withdraws the consent and revokes the refresh tokens the app holds
 * for this user; its next authorization asks again. Access tokens already issued expire on their own.
 */
export function registerConsentRevocation(app: FastifyInstance, ctx: AuthorityContext): void {
  app.post(REVOKE_CONSENT_PATH, async (request, reply) => {
    const form = formOf(request.body, request.headers['content-type'])
    const signedIn = await readSignedIn(request, ctx)
    if (!signedIn) throw new PageError('forbidden', 'Your session has ended. Sign in again.')
    checkCsrf(request, signedIn.session.csrfToken)
    const clientId = form.client_id
    // Shape first: a NUL or junk never reaches a query (PostgreSQL refuses NUL in text).
    if (!isClientId(clientId)) throw new PageError('bad_request', 'No app was named.')
    const userId = signedIn.user.id
    if (await ctx.storage.deleteConsent(userId, clientId)) {
      const families = await ctx.storage.revokeRefreshFamiliesOf(
        userId,
        clientId,
        ctx.clock.now(),
        'consent-revoked',
      )
      ctx.audit.record('consent.revoked', userId, { client_id: clientId, families })
    }
    return reply.code(303).header('location', '/account').header('cache-control', 'no-store').send()
  })
}
