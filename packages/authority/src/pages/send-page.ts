import type { FastifyReply } from 'fastify'
import type { SafeHtml } from './html.js'

/**
 * The headers of every page. The CSP allows only our own stylesheet and script files (never inline
 * code), fetches to our own origin only on pages whose script needs them, forms that post back to
 * us (plus `formAction` targets such as a registered redirect URI), no framing and no <base>.
 */
export function pageHeaders(formAction: readonly string[] = [], connect = false): Record<string, string> {
  const targets = ["'self'", ...formAction].join(' ')
  const connectSrc = connect ? " connect-src 'self';" : ''
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'self'; script-src 'self';${connectSrc} img-src 'self'; form-action ${targets}; frame-ancestors 'none'; base-uri 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  }
}

export interface SendPageOptions {
  /** Extra form-action sources for the CSP (origins or URLs a form on this page may post to). */
  readonly formAction?: readonly string[]
  /** The page's script calls our own API (fetch): allow connections to our origin, and only there. */
  readonly connect?: boolean
}

export function sendPage(
  reply: FastifyReply,
  status: number,
  page: SafeHtml,
  options: SendPageOptions = {},
): FastifyReply {
  return reply
    .code(status)
    .headers(pageHeaders(options.formAction, options.connect ?? false))
    .send(page.text)
}
