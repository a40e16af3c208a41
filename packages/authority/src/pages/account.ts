import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { renderConnectedApps } from '../oidc/consents.js'
import { PASSKEY_SCRIPTS } from '../passkeys/page-routes.js'
import { passkeySection } from '../passkeys/passkey-view.js'
import { deviceLabel } from '../sessions/device-label.js'
import { readSignedIn, type SignedIn } from '../sessions/read-session.js'
import { html, type SafeHtml } from './html.js'
import { developmentBanner, renderPage } from './layout.js'
import { sendPage } from './send-page.js'

const when = (ms: number | null): SafeHtml => {
  if (ms === null) return html`never`
  const iso = new Date(ms).toISOString()
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`
}

/** Connected apps: the user's consents (oidc/consents.ts), each with a CSRF-protected revoke button. */
function connectedApps(ctx: AuthorityContext, signedIn: SignedIn): Promise<SafeHtml> {
  return renderConnectedApps(ctx, signedIn.user.id, signedIn.session.csrfToken)
}

async function accountBody(ctx: AuthorityContext, signedIn: SignedIn): Promise<SafeHtml> {
  const { user, session } = signedIn
  const csrf = session.csrfToken
  const sessions = await ctx.sessions.list(user.id)
  const rows = sessions.map(
    (other) => html`<tr data-session="${other.id}">
<td>${deviceLabel(other.userAgent)}${other.id === session.id ? html` <strong>(this browser)</strong>` : ''}</td>
<td>${other.address}</td>
<td>${when(other.createdAt)}</td>
<td>${when(other.lastSeenAt)}</td>
<td><form method="post" action="/account/sessions/end" class="inline">
<input type="hidden" name="csrf_token" value="${csrf}">
<input type="hidden" name="session_id" value="${other.id}">
<button type="submit" class="link" aria-label="Sign out ${deviceLabel(other.userAgent)}, last seen ${new Date(other.lastSeenAt).toISOString().slice(0, 16).replace('T', ' ')} UTC">Sign out</button>
</form></td>
</tr>`,
  )
  return html`<h2>Your email</h2>
<dl>
<dt>Email</dt><dd>${user.email}${user.emailVerified ? ' (verified)' : ''}</dd>
<dt>Account created</dt><dd>${when(user.createdAt)}</dd>
<dt>Last sign-in</dt><dd>${when(user.lastLoginAt)}</dd>
</dl>
<h2>Where you are signed in</h2>
<table>
<caption class="hint">Each browser that is signed in to your account.</caption>
<thead><tr><th scope="col">Device</th><th scope="col">IP address</th><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col"><span class="skip">Action</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<form method="post" action="/account/sign-out-everywhere" class="stack">
<input type="hidden" name="csrf_token" value="${csrf}">
<button type="submit" class="secondary">Sign out everywhere</button>
<p class="hint">Ends every session above, including this one, and the app sign-ins made through them.</p>
</form>
<h2>Passkeys</h2>
${passkeySection(await ctx.storage.listPasskeys(user.id), csrf)}
<h2>Connected apps</h2>
${await connectedApps(ctx, signedIn)}`
}

/** `/account`: the signed-in user's email, sessions, passkeys and connected apps. */
export function registerAccount(scope: FastifyInstance, ctx: AuthorityContext): void {
  scope.get('/account', async (request, reply) => {
    const signedIn = await readSignedIn(request, ctx)
    if (signedIn === null) {
      return reply
        .code(303)
        .header('location', '/signin?return_to=/account')
        .header('cache-control', 'no-store')
        .send()
    }
    return sendPage(
      reply,
      200,
      renderPage({
        title: 'Your account',
        body: await accountBody(ctx, signedIn),
        signedIn: { email: signedIn.user.email, csrfToken: signedIn.session.csrfToken },
        banner: developmentBanner(ctx),
        scripts: PASSKEY_SCRIPTS,
      }),
      { connect: true },
    )
  })
}
