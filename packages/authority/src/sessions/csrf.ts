import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { PageError } from '../pages/page-error.js'

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

const refuse = () =>
  new PageError(
    'csrf_failed',
    'This form was not sent from this site, or it has expired. Go back, reload the page and try again.',
  )

/**
 * True when the browser says the request comes from our own pages: `Sec-Fetch-Site: same-origin`
 * when it sends that header, else an `Origin` whose host is the one the request was sent to. A
 * request with neither is refused: every browser that runs our forms sends at least `Origin` on a
 * POST, so only non-browser clients lack both, and they have no business posting our forms.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site === 'same-origin'
  const origin = request.headers.origin
  const host = request.headers.host
  if (origin === undefined || host === undefined || origin === 'null') return false
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false
  }
}

/**
 * The CSRF check of every state-changing form: the synchronizer token in the form field
 * `csrf_token` must equal `expectedToken` (bound to the session or the pre-login cookie), AND the
 * request must come from our own origin. Throws PageError('csrf_failed'), a 403 page, otherwise.
 */
export function checkCsrf(request: FastifyRequest, expectedToken: string): void {
  if (!isSameOrigin(request)) throw refuse()
  const body = request.body as Record<string, unknown> | null | undefined
  const presented = typeof body === 'object' && body !== null ? body.csrf_token : undefined
  if (typeof presented !== 'string' || presented.length === 0 || expectedToken.length === 0) throw refuse()
  if (!timingSafeEqual(digest(presented), digest(expectedToken))) throw refuse()
}
