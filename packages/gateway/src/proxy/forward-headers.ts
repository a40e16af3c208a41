import type { IncomingHttpHeaders } from 'node:http'
import { type Admission, admissionOf } from './authenticate.js'
import { HOP_BY_HOP, identityHeaders, stripIdentityHeaders } from './identity-headers.js'

/** RFC 9110 §7.6.1: the fixed hop-by-hop headers, and every header the Connection header names. */
function stripHopByHop(headers: IncomingHttpHeaders): void {
  const { connection } = headers
  if (typeof connection === 'string') {
    for (const name of connection.split(',')) delete headers[name.trim().toLowerCase()]
  }
  // `delete` of a present key turns the object into a slow dictionary; test first (the usual case is absent).
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name]
}

const HOP_BY_HOP_NAMES: ReadonlySet<string> = new Set(HOP_BY_HOP)

/**
 * The upstream's response headers, minus its hop-by-hop ones (the client's connection is ours).
 * A keep-alive upstream sends `connection` and `keep-alive` on every response, so this copies the
 * rest into a new object rather than deleting from undici's (a deleted key makes every later read
 * and the copy onto the reply slow).
 */
export function stripResponseHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection } = headers
  const named =
    typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close'
      ? new Set(connection.split(',').map((name) => name.trim().toLowerCase()))
      : undefined
  const kept: IncomingHttpHeaders = {}
  for (const name in headers) {
    if (HOP_BY_HOP_NAMES.has(name) || named?.has(name)) continue
    kept[name] = headers[name]
  }
  return kept
}

export interface ForwardOptions {
  forwardAuthorization: boolean
  forwardClaims: boolean
  /** BFF mode: drop the session cookie, so the upstream never sees it. */
  stripCookie: ((cookie: string) => string | undefined) | undefined
}

/**
 * The request headers the upstream receives: the client's, minus hop-by-hop headers and every
 * `X-Tessera-*` header (a client can never forge an identity), minus `Authorization` unless the
 * setting forwards it, plus the identity headers of the verified token. In BFF mode the session's
 * access token becomes the `Authorization` header.
 */
export function createHeaderRewrite(options: ForwardOptions) {
  const { forwardAuthorization, forwardClaims, stripCookie } = options
  return (
    request: { tesseraAdmission?: Admission | null },
    headers: IncomingHttpHeaders,
  ): IncomingHttpHeaders => {
    stripIdentityHeaders(headers as Record<string, unknown>)
    stripHopByHop(headers)
    if (!forwardAuthorization) delete headers.authorization
    if (stripCookie && typeof headers.cookie === 'string') {
      const rest = stripCookie(headers.cookie)
      if (rest === undefined) delete headers.cookie
      else headers.cookie = rest
    }
    const admission = admissionOf(request)
    if (admission?.identity) Object.assign(headers, identityHeaders(admission.identity, forwardClaims))
    if (admission?.sessionToken) headers.authorization = `Bearer ${admission.sessionToken}`
    return headers
  }
}

/**
 * WebSocket upgrades: the proxy opens its own connection upstream and sends only what this returns,
 * so it starts from nothing and adds the identity (and Authorization / cookies by the same settings).
 */
export function createWebSocketHeaderRewrite(options: ForwardOptions) {
  const { forwardAuthorization, forwardClaims, stripCookie } = options
  return (
    base: Record<string, string>,
    request: { tesseraAdmission?: Admission | null; headers: IncomingHttpHeaders },
  ): Record<string, string> => {
    const headers: Record<string, string> = { ...base }
    const { authorization, cookie } = request.headers
    if (forwardAuthorization && typeof authorization === 'string') headers.authorization = authorization
    if (typeof cookie === 'string') {
      const rest = stripCookie ? stripCookie(cookie) : cookie
      if (rest !== undefined) headers.cookie = rest
    }
    const admission = admissionOf(request)
    if (admission?.identity) Object.assign(headers, identityHeaders(admission.identity, forwardClaims))
    if (admission?.sessionToken) headers.authorization = `Bearer ${admission.sessionToken}`
    return headers
  }
}
