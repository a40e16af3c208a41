import type { JOSEHeaderParameters } from '../../lib/header.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions, combineOptions } from '../../lib/options.js'
import {
  computeSignature,
  computeSignatureSync,
  prepareSigning,
  SIGN_OPTIONS,
  type SignOptions,
  toPayloadBytes,
} from '../internal/sign.js'

/** Options of compactSign: the shared signing options, plus detached content (RFC 7515 Appendix F). */
export interface CompactSignOptions extends SignOptions {
  /** Leave the payload out of the output (RFC 7515 Appendix F); the verifier supplies it. */
  detached?: boolean
}

/** compactSign and compactSignSync. */
export const COMPACT_SIGN_OPTIONS = combineOptions(SIGN_OPTIONS, 'detached')

function prepare(
  payload: Uint8Array | string,
  key: KeyInput,
  protectedHeader: JOSEHeaderParameters,
  options: CompactSignOptions | undefined,
  owner: string,
) {
  if (typeof protectedHeader !== 'object' || protectedHeader === null) {
    throw new TypeError('"protectedHeader" must be an object with "alg"')
  }
  assertKnownOptions(options, COMPACT_SIGN_OPTIONS, owner)
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
  const prepared = prepare(payload, key, protectedHeader, options, 'compactSign')
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
  const prepared = prepare(payload, key, protectedHeader, options, 'compactSignSync')
  const signature = computeSignatureSync(prepared)
  return `${prepared.protectedPart}.${options?.detached ? '' : prepared.payloadPart}.${signature}`
}
