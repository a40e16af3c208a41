import type { JOSEHeaderParameters } from '../../lib/header.js'
import {
  computeSignature,
  computeSignatureSync,
  prepareSigning,
  type SignOptions,
  toPayloadBytes,
} from '../../lib/jws-sign.js'
import type { KeyInput } from '../../lib/key-input.js'

export interface CompactSignOptions extends SignOptions {
  /** Leave the payload out of the output (RFC 7515 Appendix F); the verifier supplies it. */
  detached?: boolean
}

function prepare(
  payload: Uint8Array | string,
  key: KeyInput,
  protectedHeader: JOSEHeaderParameters,
  options?: CompactSignOptions,
) {
  if (typeof protectedHeader !== 'object' || protectedHeader === null) {
    throw new TypeError('"protectedHeader" must be an object with "alg"')
  }
  const prepared = prepareSigning(toPayloadBytes(payload), key, protectedHeader, undefined, options)
  if (!options?.detached && prepared.payloadPart.includes('.')) {
    throw new TypeError('an unencoded ("b64": false) compact payload must not contain "."; use "detached"')
  }
  return prepared
}

/**
 * Signs `payload` into a JWS Compact Serialization (RFC 7515 §7.1).
 *
 * @example
 * import { compactSign, generateKeyPair } from '@tessera/jose'
 * const { privateKey } = await generateKeyPair('ES256')
 * const jws = await compactSign('hello', privateKey, { alg: 'ES256' })
 */
export async function compactSign(
  payload: Uint8Array | string,
  key: KeyInput,
  protectedHeader: JOSEHeaderParameters,
  options?: CompactSignOptions,
): Promise<string> {
  const prepared = prepare(payload, key, protectedHeader, options)
  const signature = await computeSignature(prepared)
  return `${prepared.protectedPart}.${options?.detached ? '' : prepared.payloadPart}.${signature}`
}

/** The synchronous form of compactSign, computed on the calling thread (node only). */
export function compactSignSync(
  payload: Uint8Array | string,
  key: KeyInput,
  protectedHeader: JOSEHeaderParameters,
  options?: CompactSignOptions,
): string {
  const prepared = prepare(payload, key, protectedHeader, options)
  const signature = computeSignatureSync(prepared)
  return `${prepared.protectedPart}.${options?.detached ? '' : prepared.payloadPart}.${signature}`
}
