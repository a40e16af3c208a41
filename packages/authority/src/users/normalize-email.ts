/** RFC 5321 §4.5.3.1: 64 octets of local part, 254 in all (the forward path's 256 minus the brackets). */
const MAX_LOCAL = 64
const MAX_TOTAL = 254

/** The dot-atom of RFC 5322 §3.2.3, without quoted strings or comments, which no sign-in needs. */
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
/** LDH labels (internationalised domains arrive as their A-labels, xn--…). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/**
 * The one form of an email address the authority stores and compares: trimmed and lower-cased (the
 * whole address, so `Ann@Example.com` and `ann@example.com` are the same person, as every mail
 * provider that matters treats them), checked against a strict allowlist. Undefined when the input
 * is not an address we accept.
 */
export function normalizeEmail(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_TOTAL + 64) return undefined
  const email = input.trim().toLowerCase()
  if (email.length === 0 || email.length > MAX_TOTAL) return undefined
  const at = email.lastIndexOf('@')
  if (at <= 0 || at !== email.indexOf('@')) return undefined
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  if (local.length > MAX_LOCAL || !LOCAL.test(local)) return undefined
  const labels = domain.split('.')
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined
  return email
}
