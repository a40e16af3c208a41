import { JOSEError } from '../../errors.js'
import { readJSONSerialization } from '../../lib/json-serialization.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions, assertPositiveInteger, combineOptions } from '../../lib/options.js'
import { checkSignature, type PreparedSignature, prepareSignature } from '../internal/verify.js'
import { JWS_VERIFY_OPTIONS, resolveJWSOptions } from '../internal/verify-options.js'
import type { GeneralJWS, GeneralVerifyResult, JWSVerifyOptions, KeyResolver } from '../types.js'

/** Options of generalVerify: the JWS verify options plus a bound on the signatures tried. */
export interface GeneralVerifyOptions extends JWSVerifyOptions {
  /** Refuse JWS with more signatures than this; each one may cost a verification. Default 10. */
  maxSignatures?: number
}

const GENERAL_VERIFY_OPTIONS = combineOptions(JWS_VERIFY_OPTIONS, 'maxSignatures')

/**
 * Verifies a JWS General JSON Serialization: succeeds on the first signature whose algorithm is
 * allowed and which verifies, and says which one in `signatureIndex`.
 *
 * @example
 * import { generalVerify } from '@tessera/jose'
 * const { payload, signatureIndex } = await generalVerify(jws, edPublicKey, { algorithms: ['Ed25519'] })
 */
export async function generalVerify(
  jws: GeneralJWS | string,
  keyOrResolver: KeyInput | KeyResolver<GeneralJWS>,
  options: GeneralVerifyOptions,
): Promise<GeneralVerifyResult> {
  assertKnownOptions(options, GENERAL_VERIFY_OPTIONS, 'generalVerify')
  const resolved = resolveJWSOptions(options)
  const maxSignatures = options.maxSignatures ?? 10
  assertPositiveInteger(maxSignatures, 'maxSignatures')
  const token = readJSONSerialization(jws, resolved.maxTokenLength, 'ERR_JWS_INVALID')
  const { signatures } = token
  if (!Array.isArray(signatures)) throw new JOSEError('ERR_JWS_INVALID', '"signatures" must be an array')
  if (signatures.length === 0) throw new JOSEError('ERR_JWS_INVALID', '"signatures" must not be empty')
  if (signatures.length > maxSignatures) {
    throw new JOSEError('ERR_JWS_INVALID', `more than ${maxSignatures} signatures`)
  }

  const errors: unknown[] = []
  let b64: boolean | undefined
  for (const [index, entry] of signatures.entries()) {
    let prepared: PreparedSignature
    try {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new JOSEError('ERR_JWS_INVALID', 'each signature must be an object')
      }
      prepared = prepareSignature(entry, token.payload, options.detachedPayload, resolved)
    } catch (error) {
      errors.push(error)
      continue
    }
    if (b64 !== undefined && b64 !== prepared.b64) {
      throw new JOSEError('ERR_JWS_INVALID', 'signatures disagree on "b64"')
    }
    b64 = prepared.b64
    try {
      const keyInput =
        typeof keyOrResolver === 'function'
          ? await keyOrResolver(prepared.joinedHeader, token as unknown as GeneralJWS)
          : keyOrResolver
      const key = await checkSignature(prepared, keyInput)
      return {
        payload: prepared.payload,
        protectedHeader: prepared.protectedHeader,
        unprotectedHeader: prepared.unprotectedHeader,
        key,
        signatureIndex: index,
      }
    } catch (error) {
      errors.push(error)
    }
  }
  if (errors.length === 1) throw errors[0]
  // When every signature failed for the same reason (all "none", all disallowed), that reason is the answer.
  const codes = new Set(errors.map((error) => (error instanceof JOSEError ? error.code : undefined)))
  const [only] = codes
  const code = codes.size === 1 && only !== undefined ? only : 'ERR_JWS_SIGNATURE_INVALID'
  throw new JOSEError(code, 'no signature verified', {
    cause: new AggregateError(errors, 'every signature failed'),
  })
}
