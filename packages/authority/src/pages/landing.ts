import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { PATHS } from '../lib/paths.js'
import { readSignedIn } from '../sessions/read-session.js'
import { html } from './html.js'
import { developmentBanner, renderPage } from './layout.js'
import { sendPage } from './send-page.js'

/** `/`: what is running here, and the way in. */
export function registerLanding(scope: FastifyInstance, ctx: AuthorityContext): void {
  scope.get('/', async (request, reply) => {
    const signedIn = await readSignedIn(request, ctx)
    const { issuer } = ctx.config
    const body = html`<p>This is a <strong>Tessera authority</strong>: it signs people in with their email
address (a one-time code and a magic link, no passwords), keeps their browser sessions, and issues
OAuth 2.0 tokens to apps and devices.</p>
${
  signedIn
    ? html`<p>You are signed in as <strong>${signedIn.user.email}</strong>. <a href="/account">Your account</a></p>`
    : html`<p><a class="button" href="/signin">Sign in or create an account</a></p>`
}
<h2>What is running</h2>
<dl>
<dt>Issuer</dt><dd><code>${issuer}</code></dd>
<dt>Metadata</dt><dd><a href="${PATHS.metadata}"><code>${PATHS.metadata}</code></a></dd>
<dt>Signing keys</dt><dd><a href="${PATHS.jwks}"><code>${PATHS.jwks}</code></a></dd>
<dt>Sign-in email</dt><dd>${
      ctx.mailer.mode === 'smtp'
        ? 'sent over SMTP'
        : html`development mode: printed to the console and written to <code>${ctx.mailer.outbox ?? ''}</code>`
    }</dd>
<dt>Open sign-up</dt><dd>${ctx.config.openSignup ? 'on: any email address can create an account' : 'off: only existing users can sign in'}</dd>
</dl>`
    return sendPage(
      reply,
      200,
      renderPage({
        title: 'Tessera',
        body,
        signedIn: signedIn
          ? { email: signedIn.user.email, csrfToken: signedIn.session.csrfToken }
          : undefined,
        banner: developmentBanner(ctx),
      }),
    )
  })
}
