import { Buffer, isUtf8 } from 'node:buffer'
import { type ErrorCode, JOSEError } from '../errors.js'

/**
 * Counts object members in JSON text: every member has exactly one ':' outside a string, and no other
 * ':' can occur outside strings. Comparing this with the members JSON.parse kept detects duplicate
 * names (which JSON.parse silently collapses, last one wins) without a second full parser.
 */
function countMembers(text: string): number {
  let count = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 58) count++
  }
  return count
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
