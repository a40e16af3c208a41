import type { JOSEHeaderParameters } from '../../lib/header.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions } from '../../lib/options.js'
import {
  computeSignature,
  prepareSigning,
  SIGN_OPTIONS,
  type SignOptions,
  toPayloadBytes,
} from '../internal/sign.js'
import type { FlattenedJWS } from '../types.js'

/**
 * Signs `payload` into a JWS Flattened JSON Serialization (RFC 7515 §7.2.2). The unprotected header
 * is not integrity protected: put nothing there a verifier should rely on.
 *
 * @example
 * import { flattenedSign } from '@tessera/jose'
 * const jws = await flattenedSign('hello', privateKey, { alg: 'ES256' }, { kid: 'k1' })
 */
export async function flattenedSign(
  payload: Uint8Array | string,
  key: KeyInput,
  protectedHeader: JOSEHeaderParameters | undefined,
  unprotectedHeader?: JOSEHeaderParameters,
  options?: SignOptions,
): Promise<FlattenedJWS> {
  assertKnownOptions(options, SIGN_OPTIONS, 'flattenedSign')
  const prepared = prepareSigning(toPayloadBytes(payload), key, protectedHeader, unprotectedHeader, options)
  const jws: FlattenedJWS = { payload: prepared.payloadPart, signature: await computeSignature(prepared) }
  if (protectedHeader) jws.protected = prepared.protectedPart
  if (unprotectedHeader) jws.header = { ...unprotectedHeader }
  return jws
}
