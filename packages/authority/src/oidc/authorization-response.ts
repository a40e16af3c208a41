import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { html } from '../pages/html.js'
import { renderPage } from '../pages/layout.js'
import { sendPage } from '../pages/send-page.js'
import type { AuthorizationErrorCode, TrustedTarget } from './authorization-request.js'

/**
 * The redirect URI with the response parameters added to its query (RFC 6749 §4.1.2: the URI's own
 * query is kept), always with `state` when the client sent one and `iss` (RFC 9207 §2).
 */
export function responseUrl(
  ctx: AuthorityContext,
  target: TrustedTarget,
  parameters: Readonly<Record<string, string>>,
): string {
  const url = new URL(target.redirectUri)
  for (const [name, value] of Object.entries(parameters)) url.searchParams.append(name, value)
  if (target.state !== undefined) url.searchParams.append('state', target.state)
  url.searchParams.append('iss', ctx.config.issuer)
  return url.href
}

/**
 * Sends the browser to the client. A navigation that began as a form on one of our pages (sign-in,
 * consent) is bound by that page's CSP `form-action` along its whole redirect chain, so a redirect
 * to the client would be blocked: such requests (`Sec-Fetch-Site: same-origin`) get a page that
 * moves on by meta refresh, with a link for anyone whose browser does not follow it.
 */
export function sendToClient(
  request: FastifyRequest,
  reply: FastifyReply,
  location: string,
  appName: string,
) {
  if (request.headers['sec-fetch-site'] !== 'same-origin') {
    return reply.header('cache-control', 'no-store').redirect(location, request.method === 'POST' ? 303 : 302)
  }
  const body = html`<meta http-equiv="refresh" content="0;url=${location}">
<p>Returning you to ${appName}…</p>
<p><a href="${location}" data-continue>Continue to ${appName}</a></p>`
  return sendPage(reply, 200, renderPage({ title: 'Signed in', body }))
}

export function sendCode(
  ctx: AuthorityContext,
  request: FastifyRequest,
  reply: FastifyReply,
  target: TrustedTarget,
  code: string,
) {
  return sendToClient(request, reply, responseUrl(ctx, target, { code }), appName(target))
}

/** RFC 6749 §4.1.2.1: errors after the redirect URI is trusted go back to the client. */
export function sendAuthorizationError(
  ctx: AuthorityContext,
  request: FastifyRequest,
  reply: FastifyReply,
  target: TrustedTarget,
  error: AuthorizationErrorCode,
  description: string,
) {
  const location = responseUrl(ctx, target, { error, error_description: description })
  return sendToClient(request, reply, location, appName(target))
}

export function appName(target: TrustedTarget): string {
  return target.client.metadata.client_name ?? 'the application'
}
