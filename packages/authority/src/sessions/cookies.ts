/**
 * The authority's cookies. In production (https issuer) they carry the `__Host-` prefix, which makes
 * the browser insist on Secure, Path=/ and no Domain. Plain http://localhost (or 127.0.0.1, [::1])
 * during development is the one exception: browsers drop Secure cookies over http, so there the
 * names lose the prefix and the Secure attribute. Any other http issuer keeps both, and sign-in
 * simply does not work over it (fail closed).
 */
export interface CookieNames {
  readonly session: string
  readonly signin: string
  readonly secure: boolean
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

export function cookieNames(issuer: string): CookieNames {
  const url = new URL(issuer)
  const secure = !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))
  return secure
    ? { session: '__Host-tessera-session', signin: '__Host-tessera-signin', secure }
    : { session: 'tessera-session', signin: 'tessera-signin', secure }
}

/** Our cookie values are 256-bit base64url secrets; anything else is ignored unread. */
export const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/

/**
 * Reads one cookie from a Cookie header without building a map of everything the browser sent. A
 * repeated name (a cookie planted for a parent domain or path beside ours) makes the value
 * ambiguous: that counts as absent.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > 8192) return undefined
  let found: string | undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    if (found !== undefined) return undefined
    found = part.slice(eq + 1).trim()
  }
  return found !== undefined && SECRET_SHAPE.test(found) ? found : undefined
}

export function setCookie(names: CookieNames, name: string, value: string, maxAgeSeconds: number): string {
  const secure = names.secure ? '; Secure' : ''
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax${secure}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`
}

export function clearCookie(names: CookieNames, name: string): string {
  const secure = names.secure ? '; Secure' : ''
  return `${name}=; Path=/; HttpOnly; SameSite=Lax${secure}; Max-Age=0`
}
