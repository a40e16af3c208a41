import { Buffer } from 'node:buffer'
import { JOSEError } from '../../errors.js'
import {
  getSigningAlgorithm,
  isUnsecuredAlgorithmName,
  type SigningAlgorithm,
} from '../../jwa/signing-algorithms.js'
import { assertSigningKey } from '../../lib/assert-key.js'
import { signAsync, signSync } from '../../lib/backend/signing.js'
import {
  assertCrit,
  assertDisjoint,
  assertHeaderMembers,
  type JOSEHeaderParameters,
  readB64,
} from '../../lib/header.js'
import { isPlainObject } from '../../lib/json.js'
import { type Key, keyObjectOf } from '../../lib/key.js'
import { type KeyInput, toKey } from '../../lib/key-input.js'
import { declareOptions } from '../../lib/options.js'

export interface SignOptions {
  /** Extension parameters the signer declares it understands, so they may be listed in `crit`. */
  crit?: readonly string[]
}

/** flattenedSign and generalSign; compactSign adds `detached`. */
export const SIGN_OPTIONS = declareOptions<SignOptions>({ crit: true })

/** A signature ready to compute: headers checked, key fitted, signing input built. */
export interface PreparedSigning {
  readonly alg: SigningAlgorithm
  readonly key: Key
  readonly protectedPart: string
  readonly payloadPart: string
  readonly signingInput: Buffer
}

export function toPayloadBytes(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8')
  throw new TypeError('"payload" must be a Uint8Array or a string')
}

export function prepareSigning(
  payload: Uint8Array,
  keyInput: KeyInput,
  protectedHeader: JOSEHeaderParameters | undefined,
  unprotectedHeader: JOSEHeaderParameters | undefined,
  options: SignOptions | undefined,
): PreparedSigning {
  if (protectedHeader !== undefined && !isPlainObject(protectedHeader)) {
    throw new TypeError('"protectedHeader" must be an object')
  }
  if (unprotectedHeader !== undefined && !isPlainObject(unprotectedHeader)) {
    throw new TypeError('"unprotectedHeader" must be an object')
  }
  if (!protectedHeader && !unprotectedHeader) throw new TypeError('"protectedHeader" is required')
  assertDisjoint(protectedHeader, unprotectedHeader)
  const joined = { ...protectedHeader, ...unprotectedHeader }
  assertHeaderMembers(joined)
  if (isUnsecuredAlgorithmName(joined.alg)) {
    throw new JOSEError('ERR_JOSE_ALG_NONE', 'unsecured JWTs are made only with encodeUnsecuredJWT')
  }
  if (typeof joined.alg !== 'string') throw new TypeError('"alg" header parameter is required')
  const alg = getSigningAlgorithm(joined.alg)
  if (!alg) throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `unsupported JWS algorithm "${joined.alg}"`)
  assertCrit(protectedHeader, joined, options?.crit)
  const b64 = readB64(protectedHeader, joined)
  const key = toKey(keyInput)
  assertSigningKey(key, alg, 'sign')

  const protectedPart = protectedHeader
    ? Buffer.from(JSON.stringify(protectedHeader), 'utf8').toString('base64url')
    : ''
  const payloadBuffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  const payloadPart = b64 ? payloadBuffer.toString('base64url') : payloadBuffer.toString('utf8')
  const signingInput = b64
    ? Buffer.from(`${protectedPart}.${payloadPart}`, 'latin1')
    : Buffer.concat([Buffer.from(`${protectedPart}.`, 'latin1'), payloadBuffer])
  return { alg, key, protectedPart, payloadPart, signingInput }
}

export function computeSignatureSync(prepared: PreparedSigning): string {
  return signSync(prepared.alg, keyObjectOf(prepared.key), prepared.signingInput).toString('base64url')
}

export async function computeSignature(prepared: PreparedSigning): Promise<string> {
  return (await signAsync(prepared.alg, keyObjectOf(prepared.key), prepared.signingInput)).toString(
    'base64url',
  )
}
