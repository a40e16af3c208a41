import { JOSEError } from '../../errors.js'
import type { JOSEHeaderParameters } from '../../lib/header.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions, declareOptions } from '../../lib/options.js'
import {
  computeSignature,
  prepareSigning,
  SIGN_OPTIONS,
  type SignOptions,
  toPayloadBytes,
} from '../internal/sign.js'
import type { GeneralJWS } from '../types.js'

/** One signer of generalSign: its key and the protected and unprotected header of its signature. */
export interface GeneralSigner {
  key: KeyInput
  protectedHeader?: JOSEHeaderParameters
  unprotectedHeader?: JOSEHeaderParameters
}

const SIGNER_OPTIONS = declareOptions<GeneralSigner>({
  key: true,
  protectedHeader: true,
  unprotectedHeader: true,
})

/**
 * Signs one payload with several keys into a JWS General JSON Serialization (RFC 7515 §7.2.1).
 *
 * @example
 * import { generalSign } from '@tessera/jose'
 * const jws = await generalSign('hello', [
 *   { key: ecKey, protectedHeader: { alg: 'ES256' }, unprotectedHeader: { kid: 'ec' } },
 *   { key: edKey, protectedHeader: { alg: 'Ed25519' }, unprotectedHeader: { kid: 'ed' } },
 * ])
 */
export async function generalSign(
  payload: Uint8Array | string,
  signers: readonly GeneralSigner[],
  options?: SignOptions,
): Promise<GeneralJWS> {
  if (!Array.isArray(signers) || signers.length === 0)
    throw new TypeError('"signers" must be a non-empty array')
  assertKnownOptions(options, SIGN_OPTIONS, 'generalSign')
  for (const [index, signer] of signers.entries()) {
    assertKnownOptions(signer, SIGNER_OPTIONS, 'generalSign', `signers[${index}].`)
  }
  const bytes = toPayloadBytes(payload)
  const prepared = signers.map((signer) =>
    prepareSigning(bytes, signer.key, signer.protectedHeader, signer.unprotectedHeader, options),
  )
  const payloadPart = (prepared[0] as (typeof prepared)[number]).payloadPart
  if (prepared.some((entry) => entry.payloadPart !== payloadPart)) {
    // RFC 7797 §3: every signature of one JWS must agree on "b64".
    throw new JOSEError('ERR_JOSE_INVALID_HEADER', 'all signatures must use the same "b64" value')
  }
  const signatures = await Promise.all(prepared.map(computeSignature))
  return {
    payload: payloadPart,
    signatures: prepared.map((entry, index) => {
      const signer = signers[index] as GeneralSigner
      const signature: GeneralJWS['signatures'][number] = { signature: signatures[index] as string }
      if (signer.protectedHeader) signature.protected = entry.protectedPart
      if (signer.unprotectedHeader) signature.header = { ...signer.unprotectedHeader }
      return signature
    }),
  }
}
