import type { AuthorityContext } from '../authority-context.js'
import { html, type SafeHtml } from './html.js'

export const STYLESHEET_PATH = '/assets/tessera.css'

export interface PageOptions {
  /** The document title and the page's one <h1>. */
  readonly title: string
  readonly body: SafeHtml
  /** Who is signed in, to show the account link and a sign-out button in the header. */
  readonly signedIn?: { readonly email: string; readonly csrfToken: string } | undefined
  /** A banner at the top of every page, e.g. the development-mode notice. */
  readonly banner?: SafeHtml | undefined
  /** Our own script files (paths under /assets/), loaded deferred in order; never inline code. */
  readonly scripts?: readonly string[] | undefined
}

/**
 * The one document shell: our stylesheet (no third-party assets), a skip link, a header, the page's
 * heading and body. Every page goes through here, so the landmarks and heading order are the same
 * everywhere and a screen reader finds the content at #main.
 */
export function renderPage({ title, body, signedIn, banner, scripts = [] }: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Tessera</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${scripts.map(
  (src) => html`<script src="${src}" defer></script>
`,
)}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<a class="brand" href="/">Tessera</a>
<nav aria-label="Account">${
    signedIn
      ? html`<a href="/account">${signedIn.email}</a>
<form method="post" action="/signout" class="inline">
<input type="hidden" name="csrf_token" value="${signedIn.csrfToken}">
<button type="submit" class="link">Sign out</button>
</form>`
      : html`<a href="/signin">Sign in</a>`
  }</nav>
</header>
${banner ? html`<div class="banner" role="note">${banner}</div>` : ''}
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
<footer class="site"><p>Tessera authority · no trackers, no third-party assets</p></footer>
</body>
</html>
`
}

/** Shown on every page while no SMTP server is configured, so nobody mistakes it for production. */
export function developmentBanner(ctx: AuthorityContext): SafeHtml | undefined {
  if (ctx.mailer.mode !== 'development') return undefined
  return html`<strong>Development mode:</strong> no SMTP server is configured (<code>TESSERA_SMTP_URL</code>),
so sign-in emails are not sent; their code and link are printed in the server's console and saved in
<code>${ctx.mailer.outbox ?? ''}</code>.`
}
