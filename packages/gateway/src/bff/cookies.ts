/**
 * The session cookie: `__Host-` (so no subdomain and no plain-http page can set or shadow it; the
 * browser insists on Secure, Path=/ and no Domain), HttpOnly (page scripts cannot read it) and
 * SameSite=Strict (other sites' requests never carry it). Browsers treat http://localhost and
 * http://127.0.0.1 as secure contexts, so the same cookie works for loopback development.
 */
export const SESSION_COOKIE = '__Host-tessera-session'
/** The sign-in round trip's cookie. Lax, because the authority's redirect back is a cross-site navigation. */
export const LOGIN_COOKIE = '__Host-tessera-login'

const VALUE = /^[A-Za-z0-9_-]{1,128}$/

export function serializeCookie(
  name: string,
  value: string,
  options: { sameSite: 'Strict' | 'Lax'; maxAgeSeconds: number },
): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=${options.sameSite}; Max-Age=${options.maxAgeSeconds}`
}

export function clearCookie(name: string, sameSite: 'Strict' | 'Lax'): string {
  return serializeCookie(name, '', { sameSite, maxAgeSeconds: 0 })
}

/** The value of one cookie, when it is present exactly once and well-formed (our values are base64url). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  let found: string | undefined
  for (const part of header.split(';')) {
    const pair = part.trim()
    if (!pair.startsWith(`${name}=`)) continue
    // Two cookies of one name: someone planted one. Trust neither.
    if (found !== undefined) return undefined
    found = pair.slice(name.length + 1)
  }
  return found !== undefined && VALUE.test(found) ? found : undefined
}

/** The Cookie header without ours, or undefined when nothing else is left. */
export function withoutCookies(header: string, names: readonly string[]): string | undefined {
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((pair) => pair !== '' && !names.some((name) => pair.startsWith(`${name}=`)))
  return kept.length > 0 ? kept.join('; ') : undefined
}
