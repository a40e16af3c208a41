export const DEFAULT_RETURN_TO = '/account'

/** Long enough for an /authorize request with its parameters; longer is refused, not truncated. */
const MAX_RETURN_TO = 2048

/**
 * Where to send the browser after sign-in: a path on this origin, or the default. Only a value that
 * starts with a single `/` and contains no backslash, no control character and no scheme or host
 * is kept — `//evil.example`, `/\evil.example`, `https://…` and `javascript:` all fall back to the
 * default, so sign-in can never become an open redirect.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO)
    return DEFAULT_RETURN_TO
  if (!value.startsWith('/') || value.startsWith('//')) return DEFAULT_RETURN_TO
  // biome-ignore lint/suspicious/noControlCharactersInRegex: backslashes and controls are what is refused.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return DEFAULT_RETURN_TO
  // Resolve against a placeholder origin: if the result leaves it, the path was not a plain path.
  try {
    const resolved = new URL(value, 'http://origin.invalid')
    if (resolved.origin !== 'http://origin.invalid') return DEFAULT_RETURN_TO
    // Resolving percent-encodes what needed it, which can lengthen the path past the limit.
    const path = `${resolved.pathname}${resolved.search}${resolved.hash}`
    return path.length > MAX_RETURN_TO ? DEFAULT_RETURN_TO : path
  } catch {
    return DEFAULT_RETURN_TO
  }
}
