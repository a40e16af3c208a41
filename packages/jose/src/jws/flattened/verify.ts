import { JOSEError } from '../../errors.js'
import { readJSONSerialization } from '../../lib/json-serialization.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions } from '../../lib/options.js'
import { checkSignature, prepareSignature } from '../internal/verify.js'
import { JWS_VERIFY_OPTIONS, resolveJWSOptions } from '../internal/verify-options.js'
import type { FlattenedJWS, FlattenedVerifyResult, JWSVerifyOptions, KeyResolver } from '../types.js'

/**
 * Verifies a JWS Flattened JSON Serialization (an object, or its JSON text) under an explicit
 * algorithm allowlist.
 *
 * @example
 * import { flattenedVerify } from '@tessera/jose'
 * const { payload } = await flattenedVerify(jws, publicKey, { algorithms: ['ES256'] })
 */
export async function flattenedVerify(
  jws: FlattenedJWS | string,
  keyOrResolver: KeyInput | KeyResolver<FlattenedJWS>,
  options: JWSVerifyOptions,
): Promise<FlattenedVerifyResult> {
  assertKnownOptions(options, JWS_VERIFY_OPTIONS, 'flattenedVerify')
  const resolved = resolveJWSOptions(options)
  const token = readJSONSerialization(jws, resolved.maxTokenLength, 'ERR_JWS_INVALID')
  if ('signatures' in token) {
    throw new JOSEError('ERR_JWS_INVALID', 'this is a General JSON JWS; use generalVerify')
  }
  if ('ciphertext' in token)
    throw new JOSEError('ERR_JWS_INVALID', 'this is a JWE; decrypt it with a JWE function')
  const prepared = prepareSignature(
    { protected: token.protected, header: token.header, signature: token.signature },
    token.payload,
    options.detachedPayload,
    resolved,
  )
  const keyInput =
    typeof keyOrResolver === 'function'
      ? await keyOrResolver(prepared.joinedHeader, token as unknown as FlattenedJWS)
      : keyOrResolver
  const key = await checkSignature(prepared, keyInput)
  return {
    payload: prepared.payload,
    protectedHeader: prepared.protectedHeader,
    unprotectedHeader: prepared.unprotectedHeader,
    key,
  }
}
