import type { IncomingHttpHeaders } from 'node:http'

export const CSRF_HEADER = 'x-tessera-csrf'

/**
 * A cookie-authenticated call must prove it comes from the app's own pages: a custom header (which
 * a cross-site form or image cannot send, and a cross-site fetch cannot send without a CORS
 * preflight the gateway never approves), `Sec-Fetch-Site: same-origin` when the browser sends it,
 * and an `Origin` equal to the gateway's when present.
 */
export function passesCsrfChecks(
  headers: IncomingHttpHeaders,
  publicOrigin: string,
  options: { requireHeader: boolean },
): boolean {
  if (options.requireHeader && headers[CSRF_HEADER] !== '1') return false
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') return false
  const origin = headers.origin
  if (origin !== undefined && origin !== publicOrigin) return false
  return true
}
