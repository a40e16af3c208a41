import { JOSEError } from '../errors.js'
import { isPlainObject } from './json.js'

/** JOSE header parameters (RFC 7515 §4.1, RFC 7516 §4.1, RFC 7797). Unknown names are kept. */
export interface JOSEHeaderParameters {
  alg?: string
  kid?: string
  typ?: string
  cty?: string
  crit?: string[]
  jku?: string
  jwk?: Record<string, unknown>
  x5u?: string
  x5c?: string[]
  x5t?: string
  'x5t#S256'?: string
  b64?: boolean
  [parameter: string]: unknown
}

// Parameters the specs define; `crit` may not list them (RFC 7515 §4.1.11).
const REGISTERED = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
  'enc',
  'zip',
  'epk',
  'apu',
  'apv',
  'iv',
  'tag',
  'p2s',
  'p2c',
])

// Extensions this library itself implements and so may appear in crit.
const UNDERSTOOD = new Set(['b64'])

/** Header sets must not share names (RFC 7515 §7.2.1, RFC 7516 §7.2.1). */
export function assertDisjoint(...headers: Array<Record<string, unknown> | undefined>): void {
  const seen = new Set<string>()
  for (const header of headers) {
    if (!header) continue
    for (const name of Object.keys(header)) {
      if (seen.has(name)) {
        throw new JOSEError(
          'ERR_JOSE_INVALID_HEADER',
          `header parameter "${name}" appears in more than one header`,
        )
      }
      seen.add(name)
    }
  }
}

export function assertHeaderObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw new JOSEError('ERR_JOSE_INVALID_HEADER', `${what} must be a JSON object`)
}

/** Type checks on the members we read, so a number `kid` cannot reach a key lookup. */
export function assertHeaderMembers(header: Record<string, unknown>): void {
  for (const name of ['alg', 'kid', 'typ', 'cty', 'enc', 'zip', 'jku', 'x5u', 'x5t', 'x5t#S256']) {
    const value = header[name]
    if (value !== undefined && typeof value !== 'string') {
      throw new JOSEError('ERR_JOSE_INVALID_HEADER', `header parameter "${name}" must be a string`)
    }
  }
}

/**
 * RFC 7515 §4.1.11: `crit` is a non-empty list of unique names, each present in the protected header,
 * none defined by the JOSE specs, and each one the recipient understands — this library's own
 * extensions plus the names the caller declared.
 */
export function assertCrit(
  protectedHeader: Record<string, unknown> | undefined,
  joined: Record<string, unknown>,
  declared: readonly string[] | undefined,
): void {
  const crit = joined.crit
  if (crit === undefined) return
  if (!protectedHeader || protectedHeader.crit === undefined) {
    throw new JOSEError('ERR_JOSE_CRIT_INVALID', '"crit" must be in the protected header')
  }
  if (!Array.isArray(crit) || crit.length === 0) {
    throw new JOSEError('ERR_JOSE_CRIT_INVALID', '"crit" must be a non-empty array of strings')
  }
  const seen = new Set<string>()
  for (const name of crit) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new JOSEError('ERR_JOSE_CRIT_INVALID', '"crit" must be a non-empty array of strings')
    }
    if (seen.has(name)) throw new JOSEError('ERR_JOSE_CRIT_INVALID', `"crit" lists "${name}" twice`)
    seen.add(name)
    if (REGISTERED.has(name)) {
      throw new JOSEError('ERR_JOSE_CRIT_INVALID', `"crit" must not list the registered parameter "${name}"`)
    }
    if (!UNDERSTOOD.has(name) && !declared?.includes(name)) {
      throw new JOSEError('ERR_JOSE_CRIT_INVALID', `critical parameter "${name}" is not understood`)
    }
    // Own members only: "constructor" and friends are found on Object.prototype otherwise.
    if (!Object.hasOwn(protectedHeader, name) || protectedHeader[name] === undefined) {
      throw new JOSEError(
        'ERR_JOSE_CRIT_INVALID',
        `critical parameter "${name}" is not in the protected header`,
      )
    }
  }
}

/**
 * RFC 7797: `b64` is a boolean that only means something in the protected header and must be critical,
 * or a recipient that ignores it would verify a different payload.
 */
export function readB64(
  protectedHeader: Record<string, unknown> | undefined,
  joined: Record<string, unknown>,
): boolean {
  const b64 = joined.b64
  if (b64 === undefined) return true
  if (!protectedHeader || protectedHeader.b64 === undefined) {
    throw new JOSEError('ERR_JOSE_INVALID_HEADER', '"b64" must be in the protected header')
  }
  if (typeof b64 !== 'boolean') throw new JOSEError('ERR_JOSE_INVALID_HEADER', '"b64" must be a boolean')
  const crit = protectedHeader.crit
  if (!Array.isArray(crit) || !crit.includes('b64')) {
    throw new JOSEError('ERR_JOSE_CRIT_INVALID', '"b64" must be listed in "crit"')
  }
  return b64
}
