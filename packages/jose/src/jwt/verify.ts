import type { JOSEHeaderParameters } from '../lib/header.js'
import { checkSignature, checkSignatureSync, type KeyResolver } from '../lib/jws-verify.js'
import type { JWTPayload } from '../lib/jwt-claims.js'
import { prepareJWT, readClaims, resolveJWTOptions, type VerifyJWTOptions } from '../lib/jwt-verify.js'
import type { Key } from '../lib/key.js'
import type { KeyInput } from '../lib/key-input.js'

export interface VerifyJWTResult {
  payload: JWTPayload
  protectedHeader: JOSEHeaderParameters
  key: Key
}

/**
 * Verifies a signed JWT: the signature under the `algorithms` allowlist, then the claims (iss, aud,
 * sub, exp, nbf, iat, typ, maxTokenAge, requiredClaims). A token without `exp` is refused unless
 * `allowMissingExpiration` is set.
 *
 * @example
 * import { verifyJWT } from '@tessera/jose'
 * const { payload } = await verifyJWT(token, publicKey, {
 *   algorithms: ['ES256'], issuer: 'https://issuer.example', audience: 'api',
 * })
 */
export async function verifyJWT(
  token: string,
  keyOrResolver: KeyInput | KeyResolver<string>,
  options: VerifyJWTOptions,
): Promise<VerifyJWTResult> {
  const resolved = resolveJWTOptions(options)
  const prepared = prepareJWT(token, resolved)
  const keyInput =
    typeof keyOrResolver === 'function' ? await keyOrResolver(prepared.joinedHeader, token) : keyOrResolver
  const key = await checkSignature(prepared, keyInput)
  return { payload: readClaims(prepared, resolved), protectedHeader: prepared.joinedHeader, key }
}

/** The synchronous form of verifyJWT; a resolver must return a key, not a promise. */
export function verifyJWTSync(
  token: string,
  keyOrResolver: KeyInput | KeyResolver<string>,
  options: VerifyJWTOptions,
): VerifyJWTResult {
  const resolved = resolveJWTOptions(options)
  const prepared = prepareJWT(token, resolved)
  const keyInput =
    typeof keyOrResolver === 'function' ? keyOrResolver(prepared.joinedHeader, token) : keyOrResolver
  if (keyInput instanceof Promise)
    throw new TypeError('a synchronous verify needs a resolver that returns a key')
  const key = checkSignatureSync(prepared, keyInput)
  return { payload: readClaims(prepared, resolved), protectedHeader: prepared.joinedHeader, key }
}
