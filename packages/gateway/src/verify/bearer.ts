/** RFC 6750 §2.1: `"Bearer" 1*SP b64token`, the scheme compared case-insensitively (RFC 9110 §11.1). */
// The scheme spelled out case by case: an `i` flag would case-fold every character of the token too.
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*)$/
const SCHEME = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: |$)/

export type BearerExtraction =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed' }

const MISSING: BearerExtraction = Object.freeze({ kind: 'missing' })
const MALFORMED: BearerExtraction = Object.freeze({ kind: 'malformed' })

/** Reads the bearer token from an Authorization header value (node's string, or an array of them). */
export function extractBearer(header: string | readonly string[] | null | undefined): BearerExtraction {
  if (header === undefined || header === null || header === '') return MISSING
  // Two Authorization headers are ambiguous: which one would the upstream read?
  if (typeof header !== 'string') return header.length === 1 ? extractBearer(header[0]) : MALFORMED
  const match = BEARER.exec(header)
  if (match?.[1]) return { kind: 'token', token: match[1] }
  const scheme = SCHEME.exec(header)?.[1]
  // Another scheme (Basic, DPoP, ...) is no bearer credential at all: §3.1 says answer with no error.
  if (scheme !== undefined && scheme.toLowerCase() !== 'bearer') return MISSING
  return MALFORMED
}
