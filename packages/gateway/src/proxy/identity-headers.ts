import type { Identity } from '../verify/identity.js'

/** The headers the gateway owns: stripped from every incoming request, then set from the identity. */
export const IDENTITY_HEADERS = [
  'x-tessera-subject',
  'x-tessera-client-id',
  'x-tessera-scope',
  'x-tessera-claims',
] as const

// RFC 9110 §7.6.1 plus the de-facto ones: meaningful for one connection only, never forwarded.
export const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
] as const

const VISIBLE = /^[\x20-\x7e]*$/

/** A claim value a header can carry as it is; anything else (newlines, non-ASCII) is percent-encoded. */
function headerValue(value: string): string {
  return VISIBLE.test(value) ? value : encodeURIComponent(value)
}

const computed = new WeakMap<Identity, Record<string, string>>()

/** The identity headers for an identity, computed once per (cached, shared) identity. */
export function identityHeaders(identity: Identity, withClaims: boolean): Readonly<Record<string, string>> {
  let headers = computed.get(identity)
  if (headers === undefined) {
    headers = {}
    if (identity.sub !== undefined) headers['x-tessera-subject'] = headerValue(identity.sub)
    if (identity.client_id !== undefined) headers['x-tessera-client-id'] = headerValue(identity.client_id)
    headers['x-tessera-scope'] = headerValue([...identity.scope].join(' '))
    computed.set(identity, headers)
  }
  if (!withClaims) return headers
  return {
    ...headers,
    'x-tessera-claims': Buffer.from(JSON.stringify(identity.claims)).toString('base64url'),
  }
}

/**
 * Removes every header a client could use to pose as someone: every `x-tessera-*` header. Node
 * lowercases incoming header names, so one comparison per name covers every spelling.
 */
export function stripIdentityHeaders(headers: Record<string, unknown>): void {
  for (const name in headers) {
    if (name.charCodeAt(0) === 120 /* x */ && name.startsWith('x-tessera-')) delete headers[name]
  }
}
