import { randomUUID } from 'node:crypto'
import { compactSign, compactSignSync } from '../jws/compact/sign.js'
import type { JOSEHeaderParameters } from '../lib/header.js'
import { isPlainObject } from '../lib/json.js'
import type { KeyInput } from '../lib/key-input.js'
import { assertKnownOptions, declareOptions } from '../lib/options.js'
import { assertDate, epochSeconds, toSeconds } from '../lib/time.js'
import type { JWTPayload } from './types.js'

/**
 * Options of signJWT: the algorithm, the header members and the registered claims it sets (`iss`,
 * `aud`, `sub`, `exp`, `iat`, `nbf`, `jti`).
 */
export interface SignJWTOptions {
  /** The JWS algorithm. Required. */
  alg: string
  kid?: string
  /** The `typ` header; default `JWT`. Use `at+jwt` for RFC 9068 access tokens. */
  typ?: string
  /** More protected header parameters (not `alg`, `kid` or `typ`, which have their own options). */
  header?: JOSEHeaderParameters
  issuer?: string
  audience?: string | readonly string[]
  subject?: string
  /** Lifetime from `iat`: seconds or a duration such as "15m". */
  expiresIn?: number | string
  /** Not valid before `iat` plus this: seconds or a duration such as "30s". */
  notBefore?: number | string
  /** The `jti` claim; `true` generates a random UUID. */
  jti?: string | true
  /** The `iat` claim: NumericDate, or `false` to leave it out. Default: now. */
  iat?: number | false
  /** "Now", for tests. */
  currentDate?: Date
}

/** signJWT and signJWTSync; createJWTSigner adds `key`, encryptJWT `enc`, `p2c` and `crit`. */
export const SIGN_JWT_OPTIONS = declareOptions<SignJWTOptions>({
  alg: true,
  kid: true,
  typ: true,
  header: true,
  issuer: true,
  audience: true,
  subject: true,
  expiresIn: true,
  notBefore: true,
  jti: true,
  iat: true,
  currentDate: true,
})

/** Claims and header a signer adds to every token, resolved and checked once. */
export interface ResolvedSignOptions {
  readonly header: JOSEHeaderParameters
  readonly build: (claims: JWTPayload) => JWTPayload
}

function assertString(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'string') throw new TypeError(`"${option}" must be a string`)
}

export function resolveSignOptions(options: SignJWTOptions): ResolvedSignOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" with "alg" is required')
  const { alg, kid, typ = 'JWT', issuer, subject, audience, jti, iat, currentDate } = options
  if (typeof alg !== 'string') throw new TypeError('"alg" is required')
  for (const [value, option] of [
    [kid, 'kid'],
    [typ, 'typ'],
    [issuer, 'issuer'],
    [subject, 'subject'],
  ] as const) {
    assertString(value, option)
  }
  if (audience !== undefined && typeof audience !== 'string') {
    if (!Array.isArray(audience) || audience.some((item) => typeof item !== 'string')) {
      throw new TypeError('"audience" must be a string or an array of strings')
    }
  }
  if (jti !== undefined && jti !== true && typeof jti !== 'string')
    throw new TypeError('"jti" must be a string or true')
  if (iat !== undefined && iat !== false && (typeof iat !== 'number' || !Number.isFinite(iat) || iat < 0)) {
    throw new TypeError('"iat" must be a NumericDate or false')
  }
  assertDate(currentDate, 'currentDate')
  const expiresIn = options.expiresIn === undefined ? undefined : toSeconds(options.expiresIn, 'expiresIn')
  const notBefore = options.notBefore === undefined ? undefined : toSeconds(options.notBefore, 'notBefore')
  if (options.header !== undefined && !isPlainObject(options.header))
    throw new TypeError('"header" must be an object')
  const header: JOSEHeaderParameters = { ...options.header, alg, typ }
  if (kid !== undefined) header.kid = kid
  const fixed: JWTPayload = {}
  if (issuer !== undefined) fixed.iss = issuer
  if (subject !== undefined) fixed.sub = subject
  if (audience !== undefined) fixed.aud = typeof audience === 'string' ? audience : [...audience]
  if (typeof jti === 'string') fixed.jti = jti

  const build = (claims: JWTPayload): JWTPayload => {
    if (!isPlainObject(claims)) throw new TypeError('"claims" must be an object')
    for (const name of ['exp', 'nbf', 'iat'] as const) {
      const value = claims[name]
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw new TypeError(`claim "${name}" must be a finite, non-negative NumericDate`)
      }
    }
    const now =
      iat === undefined ? (claims.iat ?? epochSeconds(currentDate)) : iat === false ? undefined : iat
    const payload: JWTPayload = { ...claims, ...fixed }
    if (now !== undefined) payload.iat = now
    const base = now ?? epochSeconds(currentDate)
    if (expiresIn !== undefined) payload.exp = base + expiresIn
    if (notBefore !== undefined) payload.nbf = base + notBefore
    if (jti === true) payload.jti = randomUUID()
    return payload
  }
  return { header, build }
}

/**
 * Issues a signed JWT (RFC 7519) as a JWS Compact Serialization.
 *
 * @example
 * import { generateKeyPair, signJWT } from '@tessera/jose'
 * const { privateKey } = await generateKeyPair('ES256')
 * const token = await signJWT({ scope: 'read' }, privateKey, {
 *   alg: 'ES256', issuer: 'https://issuer.example', audience: 'api', subject: 'user-1', expiresIn: '15m',
 * })
 */
export async function signJWT(claims: JWTPayload, key: KeyInput, options: SignJWTOptions): Promise<string> {
  assertKnownOptions(options, SIGN_JWT_OPTIONS, 'signJWT')
  const { header, build } = resolveSignOptions(options)
  return compactSign(JSON.stringify(build(claims)), key, header)
}

/** The synchronous form of signJWT (node, local keys). */
export function signJWTSync(claims: JWTPayload, key: KeyInput, options: SignJWTOptions): string {
  assertKnownOptions(options, SIGN_JWT_OPTIONS, 'signJWTSync')
  const { header, build } = resolveSignOptions(options)
  return compactSignSync(JSON.stringify(build(claims)), key, header)
}
