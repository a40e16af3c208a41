import { Buffer, isUtf8 } from 'node:buffer'
import { type ErrorCode, JOSEError } from '../errors.js'

/**
 * Counts object members in JSON text: every member has exactly one ':' outside a string, and no other
 * ':' can occur outside strings. Comparing this with the members JSON.parse kept detects duplicate
 * names (which JSON.parse silently collapses, last one wins) without a second full parser.
 *
 * Only called on text JSON.parse accepted, so every string is terminated and a '"' closes a string
 * exactly when an even number of backslashes precedes it. indexOf jumps over string contents and
 * structure natively (a char-by-char loop was a third of a verify's non-crypto time); each region of
 * the text is scanned a bounded number of times, so the cost stays linear in its length.
 */
function countMembers(text: string): number {
  let count = 0
  let position = 0
  let colon = text.indexOf(':')
  for (;;) {
    const quote = text.indexOf('"', position)
    const stop = quote === -1 ? text.length : quote
    while (colon !== -1 && colon < stop) {
      count++
      colon = text.indexOf(':', colon + 1)
    }
    if (quote === -1) return count
    let end = text.indexOf('"', quote + 1)
    while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1)
    if (end === -1) return count
    position = end + 1
    // A colon found inside the string just skipped does not count; look again after it.
    if (colon !== -1 && colon < position) colon = text.indexOf(':', position)
  }
}

/** True when the character at `index` follows an odd run of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0
  while (text.charCodeAt(index - 1 - backslashes) === 92) backslashes++
  return (backslashes & 1) === 1
}

function countParsedMembers(value: unknown, depth: number): number {
  if (typeof value !== 'object' || value === null) return 0
  if (depth > 64) throw new JOSEError('ERR_JOSE_INVALID_JSON', 'JSON nesting is deeper than 64 levels')
  let count = 0
  if (Array.isArray(value)) {
    for (const item of value) count += countParsedMembers(item, depth + 1)
    return count
  }
  for (const key in value) {
    count += 1 + countParsedMembers((value as Record<string, unknown>)[key], depth + 1)
  }
  return count
}

/** Parses JSON text, refusing duplicate member names. `what` names the input in error messages. */
export function parseStrictJSON(text: string, what: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new JOSEError('ERR_JOSE_INVALID_JSON', `${what} is not valid JSON`)
  }
  if (typeof value === 'object' && value !== null && countParsedMembers(value, 0) !== countMembers(text)) {
    throw new JOSEError('ERR_JOSE_INVALID_JSON', `${what} has duplicate member names`)
  }
  return value
}

/** Decodes UTF-8 bytes (refusing malformed sequences) and parses them as strict JSON. */
export function parseStrictJSONBytes(bytes: Uint8Array, what: string): unknown {
  if (!isUtf8(bytes)) throw new JOSEError('ERR_JOSE_INVALID_JSON', `${what} is not valid UTF-8`)
  return parseStrictJSON(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), what)
}

/** Parses strict JSON that must be an object (JOSE headers, JWT claims sets). */
export function parseJSONObject(
  bytes: Uint8Array,
  what: string,
  notObject: ErrorCode,
): Record<string, unknown> {
  const value = parseStrictJSONBytes(bytes, what)
  if (!isPlainObject(value)) throw new JOSEError(notObject, `${what} must be a JSON object`)
  return value
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
