import { checkSignature, checkSignatureSync } from '../jws/internal/verify.js'
import type { KeyResolver } from '../jws/types.js'
import type { KeyInput } from '../lib/key-input.js'
import { assertKnownOptions } from '../lib/options.js'
import { prepareJWT, readClaims, resolveJWTOptions, VERIFY_JWT_OPTIONS } from './internal/verify.js'
import type { VerifyJWTOptions, VerifyJWTResult } from './types.js'

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
  assertKnownOptions(options, VERIFY_JWT_OPTIONS, 'verifyJWT')
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
  assertKnownOptions(options, VERIFY_JWT_OPTIONS, 'verifyJWTSync')
  const resolved = resolveJWTOptions(options)
  const prepared = prepareJWT(token, resolved)
  const keyInput =
    typeof keyOrResolver === 'function' ? keyOrResolver(prepared.joinedHeader, token) : keyOrResolver
  if (keyInput instanceof Promise)
    throw new TypeError('a synchronous verify needs a resolver that returns a key')
  const key = checkSignatureSync(prepared, keyInput)
  return { payload: readClaims(prepared, resolved), protectedHeader: prepared.joinedHeader, key }
}
