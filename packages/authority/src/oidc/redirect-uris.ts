/**
 * Redirect URIs: what may be registered, and how a requested one matches a registered one.
 * Matching is exact string comparison (RFC 9700 §4.1.1, OIDC Core §3.1.2.1), with the one exception
 * RFC 8252 §7.3 requires for native apps: an http loopback IP literal matches on any port.
 */

/** How many URIs of one kind a client may register, and how long each may be. */
export const MAX_REDIRECT_URIS = 20
export const MAX_REDIRECT_URI_LENGTH = 2000

const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]'])
const LOOPBACK_HOSTS = new Set([...LOOPBACK_IPS, 'localhost'])

/** RFC 8252 §7.1: a private-use scheme is a reverse domain name, so it always contains a period. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/

/**
 * Why `value` cannot be a registered redirect URI, or undefined when it can: absolute, no fragment,
 * no credentials; https anywhere, http only on loopback (development and RFC 8252 §7.3), or a
 * private-use scheme for native apps (RFC 8252 §7.1). Never javascript:, data: and the like.
 */
export function redirectUriProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REDIRECT_URI_LENGTH)
    return `must be a string of at most ${MAX_REDIRECT_URI_LENGTH} characters`
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'must be an absolute URI'
  }
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment'
  if (url.username !== '' || url.password !== '') return 'must not carry credentials'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:')
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'http is allowed only on loopback addresses'
  if (PRIVATE_USE_SCHEME.test(url.protocol)) return undefined
  return 'must use https, http on loopback, or a reverse-domain private-use scheme'
}

/** The loopback form with the port removed, for RFC 8252 §7.3 comparison; undefined otherwise. */
function withoutLoopbackPort(value: string): string | undefined {
  if (!value.startsWith('http://')) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (!LOOPBACK_IPS.has(url.hostname)) return undefined
  // Compare the text after the authority exactly as sent: no normalisation beyond the port.
  const rest = value.slice('http://'.length)
  const slash = rest.search(/[/?]/)
  const path = slash < 0 ? '' : rest.slice(slash)
  return `http://${url.hostname}${path}`
}

/** Whether `requested` is one of `registered`: exactly, or as a loopback IP literal on any port. */
export function matchesRegistered(requested: string, registered: readonly string[] | undefined): boolean {
  if (!registered || requested.length > MAX_REDIRECT_URI_LENGTH) return false
  if (registered.includes(requested)) return true
  // Backslashes and controls are read differently by URL parsers: never loosen a match over them.
  for (let i = 0; i < requested.length; i++) {
    const code = requested.charCodeAt(i)
    if (code <= 0x20 || code === 0x5c || code === 0x7f) return false
  }
  const loose = withoutLoopbackPort(requested)
  if (loose === undefined) return false
  return registered.some((uri) => withoutLoopbackPort(uri) === loose)
}
