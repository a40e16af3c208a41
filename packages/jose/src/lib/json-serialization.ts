import { JOSEError } from '../errors.js'
import { isPlainObject, parseStrictJSON } from './json.js'

/**
 * Accepts a JSON-serialized JWS/JWE as an object or as JSON text (parsed strictly, so duplicate
 * members are refused), bounded by the same length limit as compact tokens.
 */
export function readJSONSerialization(
  input: unknown,
  maxLength: number,
  code: 'ERR_JWS_INVALID' | 'ERR_JWE_INVALID',
): Record<string, unknown> {
  let value = input
  if (typeof input === 'string') {
    if (input.length > maxLength) {
      throw new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE', `the token is longer than ${maxLength} characters`)
    }
    value = parseStrictJSON(input, 'the JSON serialization')
  }
  if (!isPlainObject(value)) throw new JOSEError(code, 'the JSON serialization must be an object')
  if (typeof input !== 'string' && approximateLength(value) > maxLength) {
    throw new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE', `the token is longer than ${maxLength} characters`)
  }
  return value
}

// Members are strings or small header objects; their string lengths bound the serialized size.
function approximateLength(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length
  if (depth > 8 || typeof value !== 'object' || value === null) return 8
  let total = 2
  for (const [name, member] of Object.entries(value))
    total += name.length + 4 + approximateLength(member, depth + 1)
  return total
}
